// A TCP or TLS listener. Both accept on a plain net.Server so the source
// address is checked before a single byte is read: an unlisted peer is reset at
// accept and never reaches a TLS handshake. Allowed TLS peers are then handed to
// a (non-listening) tls.Server, which runs the handshake with the current
// secure context; reloading certificates swaps that context for new
// connections and leaves established ones alone.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { AllowListHolder } from '../allow-list/allow-list.js';
import type { ConnectionAdmission } from './connection-admission.js';
import { listenerInfo } from './listener-info.js';
import { addressFamily, normalizePeerAddress } from './peer-address.js';
import { classifyTlsFailure, loadListenerTlsOptions } from './tls-settings.js';
import type { TransportMetrics } from './transport-metrics.js';
import type { ListenerConfig, ListenerInfo, PeerCertificate, ResolvedTransportLimits } from './types.js';

export interface StreamListenerOptions {
  config: ListenerConfig;
  allowList: AllowListHolder;
  admission: ConnectionAdmission;
  limits: ResolvedTransportLimits;
  metrics: TransportMetrics;
  logger: Logger;
  /** A connection ready for SIP: allowed, admitted, and for TLS handshaken (and verified when required). */
  onConnected: (socket: net.Socket, listener: StreamListener, peerCertificate: PeerCertificate | undefined) => void;
}

export function peerCertificateOf(socket: tls.TLSSocket): PeerCertificate | undefined {
  const certificate = socket.getPeerX509Certificate();
  if (!certificate) return undefined;
  const peer: PeerCertificate = {
    fingerprint256: certificate.fingerprint256,
    subject: certificate.subject,
    issuer: certificate.issuer,
    verified: socket.authorized,
  };
  if (certificate.subjectAltName) peer.subjectAltName = certificate.subjectAltName;
  return Object.freeze(peer);
}

export class StreamListener {
  readonly name: string;
  readonly transport: 'tcp' | 'tls';
  readonly family: 4 | 6;
  private server: net.Server | undefined;
  private tlsServer: tls.Server | undefined;
  private bound: ListenerInfo | undefined;
  /** Every accepted socket, handshaking or not, so stop() can close them all. */
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly options: StreamListenerOptions) {
    const { config } = options;
    if (config.transport === 'udp') throw new Error(`listener '${config.name}': StreamListener serves tcp or tls`);
    if (config.transport === 'tls' && !config.tls) throw new Error(`TLS listener '${config.name}' needs tls settings`);
    this.name = config.name;
    this.transport = config.transport;
    this.family = addressFamily(config.address) === 6 ? 6 : 4;
  }

  get info(): ListenerInfo {
    if (!this.bound) throw new Error(`listener '${this.name}' is not started`);
    return this.bound;
  }

  async start(): Promise<ListenerInfo> {
    const { config } = this.options;
    if (config.transport === 'tls' && config.tls) {
      this.tlsServer = await this.createTlsServer(config.tls);
    }
    const server = net.createServer({ noDelay: true });
    server.on('connection', (socket) => this.onAccept(socket));
    server.on('error', (error) => this.options.logger.warn({ listener: this.name, err: error.message }, 'listener error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: config.port, host: normalizePeerAddress(config.address), ipv6Only: this.family === 6 }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: Error) => {
      throw new Error(
        `${this.transport.toUpperCase()} listener '${this.name}' cannot listen on ${config.address}:${config.port}: ${error.message}`,
      );
    });
    const address = server.address() as net.AddressInfo;
    this.server = server;
    this.bound = listenerInfo(config, address.address, address.port, this.family);
    return this.bound;
  }

  /** New TLS connections get certificates re-read from the configured files; open ones keep theirs. */
  async reloadCertificates(): Promise<void> {
    const { config } = this.options;
    if (!this.tlsServer || !config.tls) return;
    const contextOptions = await loadListenerTlsOptions(this.name, config.tls);
    this.tlsServer.setSecureContext(contextOptions);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onAccept(socket: net.Socket): void {
    const { allowList, admission, metrics, logger } = this.options;
    const remote = socket.remoteAddress;
    if (remote === undefined || !allowList.allows(remote)) {
      metrics.allowListDrops.labels(this.name, this.transport).inc();
      socket.resetAndDestroy();
      return;
    }
    const address = normalizePeerAddress(remote);
    const refusal = admission.admit(address);
    if (refusal) {
      metrics.connectionsRejected.labels(this.name, refusal).inc();
      logger.info({ listener: this.name, remoteAddress: address, reason: refusal }, 'connection refused at accept');
      socket.resetAndDestroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      admission.release(address);
    });
    // Errors before the connection object takes over (resets during a handshake) must not go unhandled.
    socket.on('error', () => undefined);
    if (this.tlsServer) this.tlsServer.emit('connection', socket);
    else this.options.onConnected(socket, this, undefined);
  }

  private async createTlsServer(settings: NonNullable<ListenerConfig['tls']>): Promise<tls.Server> {
    const contextOptions = await loadListenerTlsOptions(this.name, settings);
    const verify = settings.verifyClientCert === true;
    const request = verify || settings.requestClientCert === true;
    const failures = this.options.metrics.tlsHandshakeFailures;
    const server = tls.createServer({
      ...contextOptions,
      requestCert: request,
      // Verification is decided below, after the handshake, so that every rejection is counted.
      rejectUnauthorized: false,
      handshakeTimeout: this.options.limits.tlsHandshakeTimeoutMs,
    });
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
      const reason = classifyTlsFailure(error.code, error.message);
      failures.labels(this.name, reason).inc();
      // With a tlsClientError listener Node leaves closing to us (a handshake timeout would otherwise linger).
      socket.destroy();
      this.options.logger.info(
        { listener: this.name, remoteAddress: socket.remoteAddress, reason, err: error.message },
        'TLS handshake failed',
      );
    });
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      if (verify && !socket.authorized) {
        const hasCertificate = socket.getPeerX509Certificate() !== undefined;
        const reason = hasCertificate
          ? classifyTlsFailure(String(socket.authorizationError ?? 'UNABLE_TO_VERIFY'))
          : 'no-client-certificate';
        failures.labels(this.name, reason).inc();
        this.options.logger.info(
          { listener: this.name, remoteAddress: socket.remoteAddress, reason, err: String(socket.authorizationError) },
          'TLS client certificate rejected',
        );
        socket.destroy();
        return;
      }
      this.options.onConnected(socket, this, request ? peerCertificateOf(socket) : undefined);
    });
    return server;
  }
}
