// One open TCP or TLS connection: frames what it reads, answers keep-alive
// pings, sends with a bound on queued bytes, and closes itself when idle or
// when the peer sends something that cannot be framed.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { StreamFramer, StreamFramingError } from './stream-framer.js';
import type { TransportMetrics } from './transport-metrics.js';
import type { MessageHandler, MessageOrigin, ResolvedTransportLimits, StreamTransport } from './types.js';

const PONG = Buffer.from('\r\n', 'latin1');

export interface StreamConnectionOptions {
  id: string;
  key: string;
  direction: 'inbound' | 'outbound';
  /** The name an outbound TLS connection's certificate was verified against. */
  servername?: string;
  origin: MessageOrigin & { transport: StreamTransport };
  limits: ResolvedTransportLimits;
  metrics: TransportMetrics;
  logger: Logger;
  deliver: MessageHandler;
  onClosed: (connection: StreamConnection) => void;
}

export class StreamConnection {
  readonly id: string;
  readonly key: string;
  readonly direction: 'inbound' | 'outbound';
  /** The same object accompanies every message of this connection. */
  readonly origin: MessageOrigin;
  readonly transport: StreamTransport;
  readonly servername: string | undefined;
  private readonly framer: StreamFramer;
  private readonly maxBufferedBytes: number;
  private closed = false;
  private finished = false;

  constructor(
    private readonly socket: Socket,
    private readonly options: StreamConnectionOptions,
  ) {
    this.id = options.id;
    this.key = options.key;
    this.direction = options.direction;
    this.origin = Object.freeze(options.origin);
    this.transport = options.origin.transport;
    this.servername = options.servername;
    this.maxBufferedBytes = options.limits.maxBufferedBytes;
    const received = options.metrics.messagesReceived.labels(options.origin.listenerName, this.transport);
    const pings = options.metrics.keepAlivePings.labels(this.transport);
    const deliver = options.deliver;
    const origin = this.origin;
    this.framer = new StreamFramer({
      limits: { maxMessageBytes: options.limits.maxMessageBytes, maxHeaderBytes: options.limits.maxHeaderBytes },
      onMessage: (raw) => {
        received.inc();
        deliver(raw, origin);
      },
      onPing: () => {
        pings.inc();
        if (!this.closed) socket.write(PONG);
      },
    });
    options.metrics.connections.labels(this.transport, this.direction).inc();
    socket.setNoDelay(true);
    socket.setTimeout(options.limits.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('timeout', () => this.fail('idle-timeout'));
    socket.on('error', (error) => {
      options.logger.debug({ connectionId: this.id, err: error.message }, 'connection error');
    });
    socket.once('close', () => this.finish());
  }

  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  /** Bytes queued in the socket, not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  send(data: Buffer): Promise<void> {
    if (!this.isOpen) return Promise.reject(new Error(`connection ${this.id} is closed`));
    if (this.socket.writableLength + data.length > this.maxBufferedBytes) {
      this.fail('send-buffer-full');
      return Promise.reject(new Error(`connection ${this.id} closed: more than ${this.maxBufferedBytes} bytes queued`));
    }
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Closes the socket and leaves the connection table at once (not a tick later on 'close'). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.finish();
  }

  private onData(chunk: Buffer): void {
    try {
      this.framer.push(chunk);
    } catch (error) {
      if (error instanceof StreamFramingError) {
        this.options.logger.info(
          { connectionId: this.id, remoteAddress: this.origin.remoteAddress, reason: error.reason },
          'closing connection: unframeable SIP stream',
        );
        this.fail(error.reason);
        return;
      }
      // The handler is guarded by the layer; anything else is our bug. Keep the process up.
      this.options.logger.error({ connectionId: this.id, err: error }, 'closing connection after an internal error');
      this.fail('internal-error');
    }
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.options.metrics.streamErrors.labels(this.transport, reason).inc();
    this.close();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.closed = true;
    this.options.metrics.connections.labels(this.transport, this.direction).dec();
    this.options.onClosed(this);
  }
}
