// RFC 3261 Table 4 timer values, with RFC 6026's Timers L and M. Everything is
// derived from T1, T2 and T4 unless overridden, so a deployment (or a test) that
// changes T1 gets a consistent set.

export interface TimerBase {
  /** RTT estimate, default 500 ms. */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  t2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  t4: number;
}

export interface TimerValues extends TimerBase {
  /** INVITE request retransmit interval, for UDP only (initial value; doubles). */
  timerA: number;
  /** INVITE transaction timeout timer. */
  timerB: number;
  /** Proxy INVITE transaction timeout (used by the proxy, not by the transaction layer). */
  timerC: number;
  /** Wait time for response retransmits, UDP (0 for reliable transports). */
  timerD: number;
  /** Non-INVITE request retransmit interval, UDP only (initial value). */
  timerE: number;
  /** Non-INVITE transaction timeout timer. */
  timerF: number;
  /** INVITE response retransmit interval (initial value), UDP only. */
  timerG: number;
  /** Wait time for ACK receipt. */
  timerH: number;
  /** Wait time for ACK retransmits, UDP (0 for reliable transports). */
  timerI: number;
  /** Wait time for non-INVITE request retransmits, UDP (0 for reliable transports). */
  timerJ: number;
  /** Wait time for response retransmits, UDP (0 for reliable transports). */
  timerK: number;
  /** RFC 6026: wait time for accepted INVITE request retransmits (server, Accepted state). */
  timerL: number;
  /** RFC 6026: wait time for retransmission of 2xx to INVITE or additional 2xx from other branches (client). */
  timerM: number;
}

const DEFAULT_TIMER_BASE: TimerBase = { t1: 500, t2: 4000, t4: 5000 };

/** The full timer set from T1/T2/T4, with any individual timer overridden. */
export function resolveTimerValues(overrides: Partial<TimerValues> = {}): TimerValues {
  const t1 = overrides.t1 ?? DEFAULT_TIMER_BASE.t1;
  const t2 = overrides.t2 ?? DEFAULT_TIMER_BASE.t2;
  const t4 = overrides.t4 ?? DEFAULT_TIMER_BASE.t4;
  for (const [name, value] of Object.entries(overrides)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`SIP timer ${name} must be a finite number of milliseconds >= 0, got ${String(value)}`);
    }
  }
  if (t1 <= 0) throw new RangeError(`SIP timer t1 must be > 0 ms, got ${t1}`);
  return Object.freeze({
    t1,
    t2,
    t4,
    timerA: t1,
    timerB: 64 * t1,
    timerC: 180_000,
    // RFC 3261 says "> 32 s"; 32 s is the value every stack uses.
    timerD: 32_000,
    timerE: t1,
    timerF: 64 * t1,
    timerG: t1,
    timerH: 64 * t1,
    timerI: t4,
    timerJ: 64 * t1,
    timerK: t4,
    timerL: 64 * t1,
    timerM: 64 * t1,
    ...overrides,
  });
}
