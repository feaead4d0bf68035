// Per-trunk call admission: concurrent calls and a calls-per-second token bucket.
// The clock is injected so the bucket's refill is unit-tested without waiting.
import type { TrunkConfig } from '../../../platform/config/pop-schema.js';

export type AdmissionDecision =
  | { admitted: true; release: () => void }
  | { admitted: false; status: 503; reason: string; retryAfterSeconds: number };

interface TrunkCounters {
  active: number;
  tokens: number;
  refilledAt: number;
}

export interface CallAdmissionOptions {
  /** Milliseconds, monotonic. */
  now?: () => number;
  /** Retry-After sent with 503. */
  retryAfterSeconds?: number;
}

export class CallAdmission {
  private readonly counters = new Map<string, TrunkCounters>();
  private readonly now: () => number;
  private readonly retryAfterSeconds: number;

  constructor(options: CallAdmissionOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }

  /** Calls admitted and not yet released on the trunk. */
  active(trunkName: string): number {
    return this.counters.get(trunkName)?.active ?? 0;
  }

  admit(trunk: TrunkConfig): AdmissionDecision {
    const counters = this.countersOf(trunk);
    if (counters.active >= trunk.maxConcurrentCalls) {
      return { admitted: false, status: 503, reason: 'Trunk Call Limit Reached', retryAfterSeconds: this.retryAfterSeconds };
    }
    this.refill(trunk, counters);
    if (counters.tokens < 1) {
      return { admitted: false, status: 503, reason: 'Trunk Call Rate Exceeded', retryAfterSeconds: 1 };
    }
    counters.tokens -= 1;
    counters.active += 1;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        counters.active -= 1;
      },
    };
  }

  private countersOf(trunk: TrunkConfig): TrunkCounters {
    let counters = this.counters.get(trunk.name);
    if (!counters) {
      counters = { active: 0, tokens: bucketSize(trunk), refilledAt: this.now() };
      this.counters.set(trunk.name, counters);
    }
    return counters;
  }

  private refill(trunk: TrunkConfig, counters: TrunkCounters): void {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - counters.refilledAt) / 1000;
    counters.tokens = Math.min(bucketSize(trunk), counters.tokens + elapsedSeconds * trunk.callsPerSecond);
    counters.refilledAt = now;
  }
}

/** A burst of up to one second's worth of calls, at least one. */
function bucketSize(trunk: TrunkConfig): number {
  return Math.max(1, trunk.callsPerSecond);
}
