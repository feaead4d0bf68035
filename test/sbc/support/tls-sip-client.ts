// A SIP client over node:tls for flows baresip cannot drive: presenting a chosen client
// certificate (or none), and sending headers a carrier should not be able to forge.
// Messages are framed by Content-Length and parsed with the engine's parser.
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { parseSipMessage } from '../../../edge/engine/messages/parse-message.js';
import type { SipMessage } from '../../../edge/engine/messages/sip-message.js';

export interface TlsSipClientOptions {
  port: number;
  localAddress: string;
  /** PEM CA the engine's certificate chains to. */
  ca: string;
  cert?: string;
  key?: string;
}

export class TlsSipClient {
  readonly received: SipMessage[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects and finishes the handshake; rejects when the engine refuses it. */
  static async connect(options: TlsSipClientOptions): Promise<TlsSipClient> {
    // node:tls takes no local address, so the TCP connection is made first, from the carrier's.
    const tcp = net.connect({ host: '127.0.0.1', port: options.port, localAddress: options.localAddress });
    tcp.on('error', () => undefined);
    const socket = tls.connect({
      socket: tcp, host: '127.0.0.1', ca: options.ca,
      ...(options.cert !== undefined && options.key !== undefined ? { cert: options.cert, key: options.key } : {}),
    });
    await once(socket, 'secureConnect');
    return new TlsSipClient(socket);
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  send(lines: string[], body = ''): void {
    this.socket.write(`${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  /** The first message (already received or still to come) that matches; undefined at timeout or close. */
  async waitFor(match: (message: SipMessage) => boolean, timeoutMs = 5000): Promise<SipMessage | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found || this.closed || Date.now() >= deadline) return found;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      while (this.buffer.subarray(0, 2).toString() === '\r\n') this.buffer = this.buffer.subarray(2);
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end === -1) break;
      const header = this.buffer.subarray(0, end).toString('latin1');
      const length = Number(/^(?:content-length|l)\s*:\s*(\d+)/im.exec(header)?.[1] ?? '0');
      if (this.buffer.length < end + 4 + length) break;
      this.received.push(parseSipMessage(this.buffer.subarray(0, end + 4 + length)));
      this.buffer = this.buffer.subarray(end + 4 + length);
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
