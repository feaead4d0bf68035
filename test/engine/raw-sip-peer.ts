// A scripted SIP peer on a UDP socket, for flows SIPp cannot express (a caller
// that never ACKs, crossing re-INVITEs). Messages are parsed with the engine's
// own parser; the test writes the wire text it sends.
import { createSocket, type Socket } from 'node:dgram';
import { parseSipMessage } from '../../edge/engine/messages/parse-message.js';
import type { SipMessage } from '../../edge/engine/messages/sip-message.js';
import { getTag } from '../../edge/engine/messages/headers/name-addr.js';
import { freePort } from '../support/free-port.js';

export class RawSipPeer {
  readonly received: SipMessage[] = [];
  private waiters: { match: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }[] = [];

  private constructor(
    private readonly socket: Socket, readonly port: number, private readonly target: { address: string; port: number }, readonly address: string,
  ) {
    socket.on('message', (data) => {
      let message: SipMessage;
      try {
        message = parseSipMessage(data);
      } catch {
        return;
      }
      this.received.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
  }

  static async open(target: { address: string; port: number }, localAddress = '127.0.0.1'): Promise<RawSipPeer> {
    const port = await freePort(localAddress);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(port, localAddress, resolve));
    return new RawSipPeer(socket, port, target, localAddress);
  }

  send(lines: string[], body = ''): void {
    const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    this.socket.send(Buffer.from(text), this.target.port, this.target.address);
  }

  /** The first message (already received or still to come) that matches. */
  async waitFor(match: (m: SipMessage) => boolean, timeoutMs = 5000): Promise<SipMessage> {
    const seen = this.received.find(match);
    if (seen) return seen;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching SIP message within ${timeoutMs} ms; got ${this.received.map(firstLine).join(' | ')}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  count(match: (m: SipMessage) => boolean): number {
    return this.received.filter(match).length;
  }

  close(): void {
    this.socket.close();
  }
}

export function firstLine(message: SipMessage): string {
  return message.kind === 'request' ? `${message.method} ${message.uri}` : `${message.status} ${message.reason} (${message.headers.get('CSeq')})`;
}

export const isResponse = (status: number, method: string) => (m: SipMessage): boolean =>
  m.kind === 'response' && m.status === status && (m.headers.get('CSeq') ?? '').endsWith(method);

export const isRequest = (method: string) => (m: SipMessage): boolean => m.kind === 'request' && m.method === method;

/** The response to `request`, from the peer's side. */
export function answer(request: SipMessage, status: number, reason: string, toTag: string, extra: string[] = []): string[] {
  if (request.kind !== 'request') throw new Error('not a request');
  const to = request.headers.get('To') ?? '';
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...request.headers.getAll('Via').map((via) => `Via: ${via}`),
    `From: ${request.headers.get('From') ?? ''}`,
    `To: ${getTag(to) === undefined ? `${to};tag=${toTag}` : to}`,
    `Call-ID: ${request.headers.get('Call-ID') ?? ''}`,
    `CSeq: ${request.headers.get('CSeq') ?? ''}`,
    ...extra,
  ];
}
