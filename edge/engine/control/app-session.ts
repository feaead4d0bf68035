// One connected drachtio-srf app: its socket, authentication state, tags and
// the ids it uses. Writes are framed here; an app that stops reading is cut
// off once its unsent output passes a bound, so it cannot grow engine memory.
import type { Socket } from 'node:net';
import { encodeFrame } from './control-frame.js';
import { formatNok, formatOk, formatSipToApp, formatSentOk, type SipMessageMeta } from './control-message.js';
import type { RoutableApp } from './route-table.js';

const MAX_UNSENT_BYTES = 32 * 1024 * 1024;

export class AppSession implements RoutableApp {
  authenticated = false;
  private tags = new Set<string>();
  private msgCounter = 0;
  private corked = false;
  private readonly idPrefix: string;

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {
    this.idPrefix = `${id.toString(36)}-${Date.now().toString(36)}-`;
  }

  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? 0}`;
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  setTags(tags: readonly string[]): void {
    this.tags = new Set(tags);
  }

  hasTag(tag: string): boolean {
    return this.tags.has(tag);
  }

  /** A fresh message id (unique per engine run; the app only compares them). */
  nextMsgId(): string {
    this.msgCounter++;
    return this.idPrefix + this.msgCounter.toString(36);
  }

  send(payload: string): void {
    if (this.socket.destroyed) return;
    if (this.socket.writableLength > MAX_UNSENT_BYTES) {
      this.socket.destroy(new Error('app is not reading its control connection'));
      return;
    }
    // Frames produced within one turn of the event loop leave in one write (one syscall).
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(AppSession.uncork, this);
    }
    this.socket.write(encodeFrame(payload));
  }

  private static uncork(session: AppSession): void {
    session.corked = false;
    session.socket.uncork();
  }

  replyOk(responseTo: string, ...extra: string[]): void {
    this.send(formatOk(this.nextMsgId(), responseTo, ...extra));
  }

  replyNok(responseTo: string, reason: string): void {
    this.send(formatNok(this.nextMsgId(), responseTo, reason));
  }

  /** Answer an app's `sip` command with the message as actually sent. */
  replySent(responseTo: string, meta: SipMessageMeta, sip: string, more = false): void {
    this.send(formatSentOk(this.nextMsgId(), responseTo, meta, sip, more));
  }

  /** Deliver a SIP message (network request, response to the app's request, unsolicited request). */
  deliverSip(meta: SipMessageMeta, sip: string, receivedOn?: { address: string; port: number }): void {
    this.send(formatSipToApp(this.nextMsgId(), meta, sip, receivedOn));
  }
}
