// A UDP listener. The source address is checked against the allow-list before
// anything else looks at the datagram; unlisted sources get silence.
import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { AllowListHolder } from '../allow-list/allow-list.js';
import { addressFamily, normalizePeerAddress } from './peer-address.js';
import type { TransportMetrics } from './transport-metrics.js';
import type { ListenerConfig, ListenerInfo, MessageHandler, ResolvedTransportLimits } from './types.js';
import { listenerInfo } from './listener-info.js';

const CR = 13;
const LF = 10;

/** A datagram of only CR/LF is a keep-alive (RFC 5626 §4.4.1 uses STUN on UDP; CRLF is common practice). */
function isKeepAlive(datagram: Buffer): boolean {
  for (let i = 0; i < datagram.length; i++) {
    const byte = datagram[i];
    if (byte !== CR && byte !== LF) return false;
  }
  return true;
}

export interface UdpSocketBufferSizes {
  receiveBytes: number;
  sendBytes: number;
}

/**
 * A burst that arrives while the event loop is busy (GC, a CPU shared with others) must fit in
 * the socket's buffer, and the kernel default (rmem_default, ~208 KiB) holds only tens of ms
 * at 1,000 calls/s. The kernel silently caps the request at net.core.rmem_max/wmem_max, so the
 * effective size is read back and logged: an operator seeing a small one raises the sysctl.
 */
function applySocketBufferSizes(
  socket: dgram.Socket,
  limits: ResolvedTransportLimits,
  logger: Logger,
  listener: string,
): UdpSocketBufferSizes {
  const attempt = (what: string, apply: () => void): void => {
    try {
      apply();
    } catch (error) {
      logger.warn({ listener, err: (error as Error).message }, `UDP ${what} buffer size not applied`);
    }
  };
  attempt('receive', () => socket.setRecvBufferSize(limits.udpReceiveBufferBytes));
  attempt('send', () => socket.setSendBufferSize(limits.udpSendBufferBytes));
  const sizes = { receiveBytes: socket.getRecvBufferSize(), sendBytes: socket.getSendBufferSize() };
  logger.info(
    {
      listener,
      receiveBufferBytes: sizes.receiveBytes,
      sendBufferBytes: sizes.sendBytes,
      requestedReceiveBytes: limits.udpReceiveBufferBytes,
      requestedSendBytes: limits.udpSendBufferBytes,
    },
    'UDP socket buffers (the kernel caps requests at net.core.rmem_max/wmem_max)',
  );
  return sizes;
}

export interface UdpListenerOptions {
  config: ListenerConfig;
  allowList: AllowListHolder;
  limits: ResolvedTransportLimits;
  metrics: TransportMetrics;
  logger: Logger;
  deliver: MessageHandler;
}

export class UdpListener {
  readonly name: string;
  readonly family: 4 | 6;
  private socket: dgram.Socket | undefined;
  private bound: ListenerInfo | undefined;
  private buffers: UdpSocketBufferSizes | undefined;

  constructor(private readonly options: UdpListenerOptions) {
    this.name = options.config.name;
    this.family = addressFamily(options.config.address) === 6 ? 6 : 4;
  }

  get info(): ListenerInfo {
    if (!this.bound) throw new Error(`UDP listener '${this.name}' is not started`);
    return this.bound;
  }

  async start(): Promise<ListenerInfo> {
    const { config, limits, metrics, allowList, deliver, logger } = this.options;
    const socket = dgram.createSocket({ type: this.family === 6 ? 'udp6' : 'udp4', ipv6Only: this.family === 6 });
    const drops = metrics.allowListDrops.labels(this.name, 'udp');
    const oversize = metrics.datagramsDropped.labels(this.name, 'oversize');
    const received = metrics.messagesReceived.labels(this.name, 'udp');
    const maxDatagram = limits.maxDatagramBytes;
    const listenerName = this.name;
    let localAddress = config.address;
    let localPort = config.port;
    socket.on('message', (datagram, remote) => {
      if (!allowList.allows(remote.address)) {
        drops.inc();
        return;
      }
      if (datagram.length > maxDatagram) {
        oversize.inc();
        return;
      }
      if (isKeepAlive(datagram)) return;
      received.inc();
      deliver(datagram, {
        transport: 'udp',
        remoteAddress: normalizePeerAddress(remote.address),
        remotePort: remote.port,
        localAddress,
        localPort,
        listenerName,
      });
    });
    socket.on('error', (error) => logger.warn({ listener: this.name, err: error.message }, 'UDP socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(config.port, normalizePeerAddress(config.address), () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((error: Error) => {
      socket.close();
      throw new Error(`UDP listener '${this.name}' cannot bind ${config.address}:${config.port}: ${error.message}`);
    });
    this.buffers = applySocketBufferSizes(socket, limits, logger, this.name);
    const address = socket.address();
    localAddress = address.address;
    localPort = address.port;
    this.socket = socket;
    this.bound = listenerInfo(config, address.address, address.port, this.family);
    return this.bound;
  }

  /** SO_RCVBUF/SO_SNDBUF as the kernel reports them once started (Linux doubles what was asked, capped by rmem_max/wmem_max). */
  get bufferSizes(): UdpSocketBufferSizes {
    if (!this.buffers) throw new Error(`UDP listener '${this.name}' is not started`);
    return this.buffers;
  }

  send(data: Buffer, address: string, port: number): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error(`UDP listener '${this.name}' is not started`));
    return new Promise((resolve, reject) => {
      socket.send(data, port, address, (error) => (error ? reject(error) : resolve()));
    });
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
