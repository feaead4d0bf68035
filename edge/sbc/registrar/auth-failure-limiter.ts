// Brute-force protection for the registrar: a source address or a user name that fails
// digest authentication `maxFailures` times within `windowMs` is blocked for `blockMs`,
// and a blocked one is not answered at all. Success clears a key's failures. The table is
// bounded: at `maxKeys`, expired entries go first, then the oldest.

export interface AuthFailureLimits {
  maxFailures: number;
  windowMs: number;
  blockMs: number;
  maxKeys?: number;
}

interface KeyState {
  failures: number[];
  blockedUntil: number;
}

export class AuthFailureLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly maxKeys: number;

  constructor(private readonly limits: AuthFailureLimits) {
    this.maxKeys = limits.maxKeys ?? 50_000;
  }

  isBlocked(key: string, now: number): boolean {
    return (this.keys.get(key)?.blockedUntil ?? 0) > now;
  }

  /** Counts a failure; true when it blocks the key (the failure that crosses the limit). */
  fail(key: string, now: number): boolean {
    let state = this.keys.get(key);
    if (state === undefined) {
      if (this.keys.size >= this.maxKeys) this.evict(now);
      state = { failures: [], blockedUntil: 0 };
      this.keys.set(key, state);
    }
    state.failures = state.failures.filter((at) => at > now - this.limits.windowMs);
    state.failures.push(now);
    if (state.failures.length < this.limits.maxFailures || state.blockedUntil > now) return false;
    state.blockedUntil = now + this.limits.blockMs;
    state.failures = [];
    return true;
  }

  succeed(key: string): void {
    const state = this.keys.get(key);
    if (state !== undefined && state.blockedUntil === 0) this.keys.delete(key);
  }

  /** Keys blocked now. */
  blocked(now: number): number {
    let count = 0;
    for (const state of this.keys.values()) if (state.blockedUntil > now) count++;
    return count;
  }

  private evict(now: number): void {
    for (const [key, state] of this.keys) {
      if (state.blockedUntil <= now && state.failures.every((at) => at <= now - this.limits.windowMs)) this.keys.delete(key);
    }
    // Map order is insertion order: drop the oldest until there is room.
    for (const key of this.keys.keys()) {
      if (this.keys.size < this.maxKeys) break;
      this.keys.delete(key);
    }
  }
}
