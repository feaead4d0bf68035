// The clock that transaction timers run on. Production uses the system clock;
// state-machine tests use FakeClock so RFC 3261 timer schedules can be checked
// to the millisecond without waiting.

/** Opaque handle returned by setTimer. */
export type TimerHandle = object;

/**
 * Callbacks take one argument so that callers can pass a shared module-level
 * function plus the object it acts on, instead of allocating a closure per timer
 * (the engine runs thousands of transactions at once).
 */
export type TimerCallback<A> = (arg: A) => void;

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences are meaningful). */
  now(): number;
  setTimer<A>(ms: number, fn: TimerCallback<A>, arg: A): TimerHandle;
  /** Convenience form for code off the hot path. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Real time: performance.now() and Node timers. Timers never keep the process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(ms: number, fn: TimerCallback<unknown>, arg?: unknown): TimerHandle {
    const timeout = setTimeout(fn, ms, arg);
    timeout.unref();
    return timeout;
  },
  clearTimer(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface FakeTimer {
  due: number;
  seq: number;
  fn: TimerCallback<unknown>;
  arg: unknown;
  cancelled: boolean;
}

/**
 * A manual clock for tests. advance(ms) fires every timer that falls due within
 * the interval, in due-time order (ties in the order they were set), moving now()
 * to each timer's due time before firing it, so timers set by a firing timer are
 * honoured within the same advance().
 */
export class FakeClock implements Clock {
  private current = 0;
  private seq = 0;
  private pending: FakeTimer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer<A>(ms: number, fn: TimerCallback<A>, arg: A): TimerHandle;
  setTimer(ms: number, fn: () => void): TimerHandle;
  setTimer(ms: number, fn: TimerCallback<unknown>, arg?: unknown): TimerHandle {
    const timer: FakeTimer = {
      due: this.current + Math.max(0, ms),
      seq: this.seq++,
      fn,
      arg,
      cancelled: false,
    };
    this.pending.push(timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    (handle as FakeTimer).cancelled = true;
    this.pending = this.pending.filter((timer) => timer !== handle);
  }

  /** Number of timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.pending.length;
  }

  /** Due times (absolute) of the pending timers, soonest first. */
  dueTimes(): number[] {
    return this.sorted().map((timer) => timer.due);
  }

  advance(ms: number): void {
    const end = this.current + ms;
    // Bounded: each iteration fires one timer; a timer that re-arms at 0 ms forever would be a bug.
    for (let fired = 0; fired < 1_000_000; fired++) {
      const next = this.sorted()[0];
      if (!next || next.due > end) break;
      this.pending = this.pending.filter((timer) => timer !== next);
      this.current = next.due;
      next.fn(next.arg);
    }
    this.current = end;
  }

  private sorted(): FakeTimer[] {
    return [...this.pending].sort((a, b) => a.due - b.due || a.seq - b.seq);
  }
}
