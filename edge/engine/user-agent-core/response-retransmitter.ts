// The UA core's own retransmissions over unreliable transports: a 2xx to INVITE
// until the ACK arrives (RFC 3261 §13.3.1.4: Timer G doubling up to T2, give up
// after Timer H = 64*T1) and a reliable provisional until its PRACK (RFC 3262
// §3: T1 doubling, give up after 64*T1). On reliable transports nothing is
// resent but the give-up timer still runs, because the peer may never answer.
import type { Clock, TimerHandle } from '../timers/clock.js';

export interface RetransmitSchedule {
  /** First interval (T1). */
  initialMs: number;
  /** Cap on the doubling interval (T2 for 2xx); Infinity for none. */
  maxIntervalMs: number;
  /** Give up after this long (64*T1). */
  timeoutMs: number;
  /** False on reliable transports: only the timeout runs. */
  resend: boolean;
}

export class ResponseRetransmitter {
  private interval: number;
  private retransmitTimer: TimerHandle | undefined;
  private timeoutTimer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly schedule: RetransmitSchedule,
    private readonly send: () => void,
    private readonly onTimeout: () => void,
  ) {
    this.interval = schedule.initialMs;
  }

  start(): void {
    if (this.schedule.resend) this.retransmitTimer = this.clock.setTimer(this.interval, ResponseRetransmitter.fire, this);
    this.timeoutTimer = this.clock.setTimer(this.schedule.timeoutMs, ResponseRetransmitter.expire, this);
  }

  get active(): boolean {
    return !this.stopped;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retransmitTimer !== undefined) this.clock.clearTimer(this.retransmitTimer);
    if (this.timeoutTimer !== undefined) this.clock.clearTimer(this.timeoutTimer);
    this.retransmitTimer = undefined;
    this.timeoutTimer = undefined;
  }

  private static fire(self: ResponseRetransmitter): void {
    if (self.stopped) return;
    self.send();
    self.interval = Math.min(self.interval * 2, self.schedule.maxIntervalMs);
    self.retransmitTimer = self.clock.setTimer(self.interval, ResponseRetransmitter.fire, self);
  }

  private static expire(self: ResponseRetransmitter): void {
    if (self.stopped) return;
    self.stop();
    self.onTimeout();
  }
}
