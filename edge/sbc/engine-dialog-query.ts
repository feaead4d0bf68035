// Asks the SIP engine which of the SBC's dialogs it still holds, over a control
// connection of its own (authenticated with the POP's control secret, routing no verbs,
// so it never receives SIP). The `dialogs` message is a VPOP extension of the drachtio
// protocol: `<id>|dialogs|<dialogId>,<dialogId>...` answered by `OK|<the ids it holds>`.
// An engine that does not know the message (drachtio-server) answers NOK or closes the
// connection; the query then rejects and the SBC's audit skips the engine check.
import { connect, type Socket } from 'node:net';
import { ControlFrameReader, encodeFrame } from '../engine/control/control-frame.js';

export interface EngineAddress {
  host: string;
  port: number;
  secret: string;
}

interface Pending {
  resolve: (tokens: string[]) => void;
  reject: (error: Error) => void;
}

export class EngineDialogQuery {
  private socket: Socket | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;

  constructor(private readonly engine: EngineAddress, private readonly timeoutMs = 5000) {}

  /** The ids among `ids` the engine holds. Rejects when the engine cannot be asked. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    await this.connect();
    const tokens = await this.send(`dialogs|${ids.join(',')}`);
    if (tokens[0] !== 'OK') throw new Error(`engine refused the dialogs query: ${tokens.slice(1).join(' ')}`);
    return new Set((tokens[1] ?? '').split(',').filter((id) => id !== ''));
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.ready = undefined;
  }

  private connect(): Promise<void> {
    this.ready ??= new Promise<void>((resolve, reject) => {
      const socket = connect({ host: this.engine.host, port: this.engine.port });
      const reader = new ControlFrameReader();
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => {
        let frames: string[];
        try {
          frames = reader.push(chunk);
        } catch (error) {
          socket.destroy(error as Error);
          return;
        }
        for (const frame of frames) this.onFrame(frame);
      });
      socket.once('connect', () => {
        this.send(`authenticate|${this.engine.secret}|`).then((tokens) => {
          if (tokens[0] === 'OK') resolve();
          else reject(new Error('engine refused the control secret'));
        }, reject);
      });
      socket.once('error', reject);
      socket.once('close', () => {
        if (this.socket === socket) {
          this.socket = undefined;
          this.ready = undefined;
        }
        reject(new Error('engine control connection closed'));
        for (const pending of this.pending.values()) pending.reject(new Error('engine control connection closed'));
        this.pending.clear();
      });
    });
    const ready = this.ready;
    ready.catch(() => this.close());
    return ready;
  }

  private send(command: string): Promise<string[]> {
    const socket = this.socket;
    if (socket === undefined) return Promise.reject(new Error('not connected to the engine'));
    const msgId = `audit-${this.nextId++}`;
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error('the engine did not answer the dialogs query in time'));
      }, this.timeoutMs);
      this.pending.set(msgId, {
        resolve: (tokens) => { clearTimeout(timer); resolve(tokens); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      socket.write(encodeFrame(`${msgId}|${command}`));
    });
  }

  /** `<id>|response|<msgId>|OK|...` answers a pending command; anything else is ignored. */
  private onFrame(frame: string): void {
    const cr = frame.indexOf('\r');
    const tokens = (cr === -1 ? frame : frame.slice(0, cr)).split('|');
    if (tokens[1] !== 'response') return;
    const pending = this.pending.get(tokens[2] ?? '');
    if (pending === undefined) return;
    this.pending.delete(tokens[2]!);
    pending.resolve(tokens.slice(3));
  }
}
