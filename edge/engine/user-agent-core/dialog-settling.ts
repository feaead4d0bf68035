// Why: drachtio-srf learns of a dialog from the `response|...|OK` (or the 2xx) frame,
// creates its Dialog synchronously, but apps attach their 'destroy'/'ack' listeners
// one or more microtasks later (createUAS/createUAC/createB2BUA resolve promises).
// drachtio-srf handles every frame of one socket read in a single synchronous loop,
// so a BYE that lands in the same read as that frame is handled before any listener
// exists, and the app never learns the dialog ended (the B2BUA never BYEs its other
// leg). Writes to the app are corked per event-loop turn, and an app that is busy
// reads whatever has piled up at once; so network requests in a dialog the app has
// just been told about are held for a short window and then delivered in order, in
// a write of their own.
import type { Clock, TimerHandle } from '../timers/clock.js';

/** Long enough to outlast an app's GC pause or a busy turn; short against any real call. */
export const DIALOG_SETTLE_MS = 50;

interface Settling {
  until: number;
  held: (() => void)[];
  timer: TimerHandle | undefined;
}

export class DialogSettling {
  private readonly dialogs = new Map<string, Settling>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = DIALOG_SETTLE_MS,
  ) {}

  /** The app has just been told of (or about to be told of) this dialog's creation or confirmation. */
  begin(dialogId: string): void {
    if (this.windowMs <= 0 || dialogId === '') return;
    const until = this.clock.now() + this.windowMs;
    const existing = this.dialogs.get(dialogId);
    if (existing) {
      existing.until = until;
      return;
    }
    this.dialogs.set(dialogId, { until, held: [], timer: undefined });
  }

  /** Run `deliver` now, or once the dialog's window has passed (in arrival order). */
  deliver(dialogId: string, deliver: () => void): void {
    const settling = dialogId === '' ? undefined : this.dialogs.get(dialogId);
    if (!settling) {
      deliver();
      return;
    }
    const remaining = settling.until - this.clock.now();
    if (remaining <= 0 && settling.held.length === 0) {
      this.dialogs.delete(dialogId);
      deliver();
      return;
    }
    settling.held.push(deliver);
    if (settling.timer === undefined) {
      settling.timer = this.clock.setTimer(Math.max(remaining, 0), (id: string) => this.release(id), dialogId);
    }
  }

  /** Dialogs with a window open (for leak checks). */
  get size(): number {
    return this.dialogs.size;
  }

  /** Forget a window whose nothing is held (the dialog ended); held deliveries still run. */
  end(dialogId: string): void {
    const settling = this.dialogs.get(dialogId);
    if (settling && settling.held.length === 0) this.dialogs.delete(dialogId);
  }

  close(): void {
    for (const settling of this.dialogs.values()) if (settling.timer !== undefined) this.clock.clearTimer(settling.timer);
    this.dialogs.clear();
  }

  private release(dialogId: string): void {
    const settling = this.dialogs.get(dialogId);
    if (!settling) return;
    const remaining = settling.until - this.clock.now();
    if (remaining > 0) {
      // The window was extended (a re-INVITE's 2xx) while requests were held.
      settling.timer = this.clock.setTimer(remaining, (id: string) => this.release(id), dialogId);
      return;
    }
    this.dialogs.delete(dialogId);
    for (const deliver of settling.held) deliver();
  }
}
