// The transport layer (RFC 3261 §18): owns every SIP socket, hands framed raw
// messages up with where they came from, and sends raw buffers down, reusing
// the connection a request arrived on or an open one to the same target, and
// connecting out only when there is none.
import net from 'node:net';
import tls from 'node:tls';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AllowListHolder, type AllowList } from '../allow-list/allow-list.js';
import { ConnectionAdmission } from './connection-admission.js';
import { ConnectionTable } from './connection-table.js';
import { addressFamily, connectionKey, normalizePeerAddress } from './peer-address.js';
import { StreamConnection } from './stream-connection.js';
import { peerCertificateOf, StreamListener } from './stream-listener.js';
import { loadClientTlsOptions, TlsConfigError } from './tls-settings.js';
import { TransportMetrics } from './transport-metrics.js';
import {
  resolveTransportLimits,
  type ListenerConfig,
  type ListenerInfo,
  type MessageHandler,
  type MessageOrigin,
  type PeerCertificate,
  type ResolvedTransportLimits,
  type SendTarget,
  type StreamTransport,
  type TlsClientOptions,
  type Transport,
  type TransportLimits,
} from './types.js';
import { UdpListener } from './udp-listener.js';

export interface TransportLayerOptions {
  listeners: ListenerConfig[];
  limits?: TransportLimits;
  /** How to connect out over TLS; default: verify against Node's root store, no client certificate. */
  tlsClient?: TlsClientOptions;
  logger?: Logger;
  registry?: Registry;
}

type Listener = UdpListener | StreamListener;

export class TransportLayer {
  readonly limits: ResolvedTransportLimits;
  readonly metrics: TransportMetrics;
  private readonly logger: Logger;
  private readonly listeners: Listener[] = [];
  private readonly holders = new Map<string, AllowListHolder>();
  private readonly admission: ConnectionAdmission;
  private readonly connections = new ConnectionTable();
  private readonly connecting = new Map<string, Promise<StreamConnection>>();
  private readonly handlers: MessageHandler[] = [];
  private readonly closeHandlers: ((origin: MessageOrigin) => void)[] = [];
  private bound: readonly ListenerInfo[] = [];
  private boundByName = new Map<string, ListenerInfo>();
  private clientTls: tls.ConnectionOptions | undefined;
  private nextConnection = 0;
  private started = false;

  constructor(private readonly options: TransportLayerOptions) {
    this.limits = resolveTransportLimits(options.limits);
    this.metrics = new TransportMetrics(options.registry);
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.admission = new ConnectionAdmission(this.limits.maxConnections, this.limits.maxConnectionsPerAddress);
    const names = new Set<string>();
    for (const config of options.listeners) {
      if (names.has(config.name)) throw new Error(`duplicate listener name '${config.name}'`);
      names.add(config.name);
      if (addressFamily(config.address) === 0) {
        throw new Error(`listener '${config.name}': address must be an IPv4 or IPv6 literal, got '${config.address}'`);
      }
      const holder = new AllowListHolder(config.allowList);
      this.holders.set(config.name, holder);
      const common = { config, allowList: holder, limits: this.limits, metrics: this.metrics, logger: this.logger };
      this.listeners.push(
        config.transport === 'udp'
          ? new UdpListener({ ...common, deliver: this.deliver })
          : new StreamListener({
              ...common,
              admission: this.admission,
              onConnected: (socket, listener, peer) => this.adoptInbound(socket, listener, peer),
            }),
      );
    }
  }

  /** Binds every listener; on any failure, unbinds those already bound and rethrows. */
  async start(): Promise<void> {
    if (this.started) return;
    try {
      this.clientTls = await loadClientTlsOptions(this.options.tlsClient);
      for (const listener of this.listeners) await listener.start();
      this.bound = Object.freeze(this.listeners.map((listener) => listener.info));
      this.boundByName = new Map(this.bound.map((info) => [info.name, info]));
    } catch (error) {
      await Promise.all(this.listeners.map((listener) => listener.stop()));
      throw error;
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const connection of this.connections.all()) connection.close();
    await Promise.all(this.listeners.map((listener) => listener.stop()));
  }

  /** Every received message goes to every handler registered here, in order. */
  onMessage(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  /**
   * Called when a TCP/TLS connection closes, for whatever reason, with the origin its
   * messages carried (so flows and registrations bound to it can be dropped, RFC 5626).
   */
  onConnectionClosed(handler: (origin: MessageOrigin) => void): void {
    this.closeHandlers.push(handler);
  }

  /** Closes one connection; false when no such connection is open. */
  closeConnection(connectionId: string): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection) return false;
    connection.close();
    return true;
  }

  /** Whether a connection with this id is still open. */
  hasConnection(connectionId: string): boolean {
    return this.connections.get(connectionId)?.isOpen ?? false;
  }

  /** Every listener with its bound port (after start). The array is shared and frozen. */
  boundListeners(): readonly ListenerInfo[] {
    return this.bound;
  }

  /** A bound listener by name. */
  listenerNamed(name: string): ListenerInfo | undefined {
    return this.boundByName.get(name);
  }

  /**
   * The listener to advertise for a transport: one whose allow-list admits `address` (so
   * the answer is not dropped), preferring one bound to (or publishing) it; else one bound
   * to (or publishing) `address`, else one of its family, else the first of that transport.
   */
  listenerFor(transport: Transport, address?: string): ListenerInfo | undefined {
    let first: ListenerInfo | undefined;
    let sameFamily: ListenerInfo | undefined;
    let named: ListenerInfo | undefined;
    let admitting: ListenerInfo | undefined;
    const wanted = address === undefined ? undefined : normalizePeerAddress(address);
    const family = wanted === undefined ? 0 : addressFamily(wanted);
    for (const info of this.bound) {
      if (info.transport !== transport) continue;
      if (wanted === undefined) return info;
      // The peer answers to what we advertise: prefer a listener that admits it (the core's
      // internal listener for the core, a phone listener for a phone, never a carrier's).
      const admits = info.family === family && this.holders.get(info.name)?.allows(wanted) === true;
      if (info.address === wanted || info.publicAddress === wanted) {
        if (admits) return info;
        named ??= info;
      }
      if (admits) admitting ??= info;
      first ??= info;
      if (info.family === family) sameFamily ??= info;
    }
    return admitting ?? named ?? sameFamily ?? first;
  }

  /**
   * Replaces a listener's allow-list. New datagrams and connections are checked
   * against it at once; open inbound connections from sources it no longer
   * allows are closed.
   */
  setAllowList(listenerName: string, list: AllowList): void {
    const holder = this.holders.get(listenerName);
    if (!holder) throw new Error(`no listener named '${listenerName}'`);
    holder.replace(list);
    for (const connection of this.connections.all()) {
      if (connection.direction === 'inbound' && connection.origin.listenerName === listenerName && !list.allows(connection.origin.remoteAddress)) {
        this.metrics.allowListDrops.labels(listenerName, connection.transport).inc();
        connection.close();
      }
    }
  }

  /**
   * Re-reads every TLS listener's certificate files; new connections get them, open
   * ones are untouched. A listener whose files are broken keeps its old certificate;
   * the others still reload, and the error names every failure.
   */
  async reloadCertificates(): Promise<void> {
    const failures: string[] = [];
    for (const listener of this.listeners) {
      if (!(listener instanceof StreamListener)) continue;
      await listener.reloadCertificates().catch((error: Error) => failures.push(error.message));
    }
    if (this.options.tlsClient) {
      await loadClientTlsOptions(this.options.tlsClient)
        .then((options) => (this.clientTls = options))
        .catch((error: Error) => failures.push(error.message));
    }
    if (failures.length > 0) throw new TlsConfigError(`certificate reload failed: ${failures.join('; ')}`);
  }

  /** Number of open TCP/TLS connections (both directions). */
  get connectionCount(): number {
    return this.connections.size;
  }

  async send(data: Buffer, target: SendTarget): Promise<void> {
    if (target.transport === 'udp') return this.udpListenerFor(target).send(data, this.udpAddress(target), target.port);
    if (target.connectionId !== undefined) {
      const connection = this.connections.get(target.connectionId);
      if (connection?.isOpen) return connection.send(data);
    }
    const key = connectionKey(target.transport, target.address, target.port);
    const existing = this.connections.find(key);
    // A TLS connection verified for one name is not reused for another.
    if (existing?.isOpen && (target.servername === undefined || existing.servername === target.servername)) {
      return existing.send(data);
    }
    const attemptKey = target.servername === undefined ? key : `${key}|${target.servername}`;
    const connection = await this.connectOnce(attemptKey, target as SendTarget & { transport: StreamTransport });
    return connection.send(data);
  }

  private readonly deliver: MessageHandler = (raw, origin) => {
    const handlers = this.handlers;
    for (let i = 0; i < handlers.length; i++) {
      try {
        (handlers[i] as MessageHandler)(raw, origin);
      } catch (error) {
        this.logger.error({ err: error, listener: origin.listenerName }, 'message handler threw');
      }
    }
  };

  private udpListenerFor(target: SendTarget): UdpListener {
    const family = addressFamily(target.address);
    if (family === 0) throw new Error(`UDP target must be an IP address (resolve names first), got '${target.address}'`);
    let fallback: UdpListener | undefined;
    let admitting: UdpListener | undefined;
    for (const listener of this.listeners) {
      if (!(listener instanceof UdpListener) || listener.family !== family) continue;
      if (target.listenerName !== undefined && listener.name === target.listenerName) return listener;
      fallback ??= listener;
      // Send from a socket that admits the peer's answer (the core's listener, not a carrier's).
      if (target.listenerName === undefined && this.holders.get(listener.name)?.allows(this.udpAddress(target))) admitting ??= listener;
    }
    if (admitting) return admitting;
    if (fallback) return fallback;
    throw new Error(`no UDP listener for IPv${family} target ${target.address}`);
  }

  private udpAddress(target: SendTarget): string {
    return normalizePeerAddress(target.address);
  }

  private adoptInbound(socket: net.Socket, listener: StreamListener, peerCertificate: PeerCertificate | undefined): void {
    const info = listener.info;
    const remoteAddress = normalizePeerAddress(socket.remoteAddress ?? '');
    const remotePort = socket.remotePort ?? 0;
    this.register(socket, 'inbound', {
      transport: listener.transport,
      remoteAddress,
      remotePort,
      localAddress: normalizePeerAddress(socket.localAddress ?? info.address),
      localPort: socket.localPort ?? info.port,
      listenerName: listener.name,
      peerCertificate,
    });
  }

  private register(
    socket: net.Socket,
    direction: 'inbound' | 'outbound',
    origin: Omit<MessageOrigin, 'connectionId'> & { transport: StreamTransport },
    servername?: string,
  ): StreamConnection {
    const id = `${origin.transport}-${(++this.nextConnection).toString(36)}`;
    const fullOrigin: MessageOrigin & { transport: StreamTransport } = { ...origin, connectionId: id };
    if (fullOrigin.peerCertificate === undefined) delete (fullOrigin as { peerCertificate?: unknown }).peerCertificate;
    const connection = new StreamConnection(socket, {
      id,
      key: connectionKey(origin.transport, origin.remoteAddress, origin.remotePort),
      direction,
      ...(servername === undefined ? {} : { servername }),
      origin: fullOrigin,
      limits: this.limits,
      metrics: this.metrics,
      logger: this.logger,
      deliver: this.deliver,
      onClosed: (closed) => this.connectionClosed(closed),
    });
    this.connections.add(connection);
    return connection;
  }

  private connectionClosed(connection: StreamConnection): void {
    this.connections.remove(connection);
    for (const handler of this.closeHandlers) {
      try {
        handler(connection.origin);
      } catch (error) {
        this.logger.error({ err: error, connectionId: connection.id }, 'connection-closed handler threw');
      }
    }
  }

  /** One connect attempt per target at a time; concurrent sends wait for it. */
  private connectOnce(key: string, target: SendTarget & { transport: StreamTransport }): Promise<StreamConnection> {
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const attempt = this.connectOut(target).finally(() => this.connecting.delete(key));
    this.connecting.set(key, attempt);
    return attempt;
  }

  private connectOut(target: SendTarget & { transport: StreamTransport }): Promise<StreamConnection> {
    if (!this.started) return Promise.reject(new Error('transport layer is not started'));
    const host = normalizePeerAddress(target.address);
    const family = addressFamily(host);
    if (family === 0) return Promise.reject(new Error(`${target.transport} target must be an IP address, got '${target.address}'`));
    const listener = this.listeners.find(
      (candidate): candidate is StreamListener =>
        candidate instanceof StreamListener && candidate.transport === target.transport && candidate.family === family,
    ) ?? this.listeners.find((candidate): candidate is StreamListener => candidate instanceof StreamListener && candidate.transport === target.transport);
    const listenerName = listener?.name ?? `${target.transport}-client`;
    return new Promise<StreamConnection>((resolve, reject) => {
      let socket: net.Socket;
      const readyEvent = target.transport === 'tls' ? 'secureConnect' : 'connect';
      if (target.transport === 'tls') {
        const options: tls.ConnectionOptions = { ...this.clientTls, host, port: target.port };
        // Targets are IP literals, which RFC 6066 keeps out of SNI: without a servername the
        // certificate is checked against IP SANs; with one, against that name.
        const servername = target.servername;
        if (servername) {
          options.servername = servername;
          options.checkServerIdentity = (_host, certificate) => tls.checkServerIdentity(servername, certificate);
        }
        socket = tls.connect(options);
      } else {
        socket = net.connect({ host, port: target.port, noDelay: true });
      }
      socket.setTimeout(this.limits.connectTimeoutMs);
      const fail = (error: Error) => {
        cleanup();
        socket.destroy();
        const name = target.servername ? ` (${target.servername})` : '';
        reject(new Error(`cannot connect ${target.transport} to ${host}:${target.port}${name}: ${error.message}`));
      };
      const onTimeout = () => fail(new Error(`no connection within ${this.limits.connectTimeoutMs} ms`));
      const onReady = () => {
        cleanup();
        if (!this.started) {
          socket.destroy();
          reject(new Error('transport layer stopped while connecting'));
          return;
        }
        const peerCertificate = socket instanceof tls.TLSSocket ? peerCertificateOf(socket) : undefined;
        resolve(
          this.register(socket, 'outbound', {
            transport: target.transport,
            remoteAddress: host,
            remotePort: target.port,
            localAddress: normalizePeerAddress(socket.localAddress ?? ''),
            localPort: socket.localPort ?? 0,
            listenerName,
            peerCertificate,
          }, target.servername),
        );
      };
      const cleanup = () => {
        socket.off('error', fail);
        socket.off('timeout', onTimeout);
        socket.off(readyEvent, onReady);
      };
      socket.once('error', fail);
      socket.once('timeout', onTimeout);
      socket.once(readyEvent, onReady);
    });
  }
}
