// When to restart a crashed child: exponential backoff that forgives a child which
// stayed up long enough. Pure, so the schedule is unit-tested without processes.

export interface RestartBackoffPolicy {
  /** Delay before the first restart after a crash. */
  initialDelayMs: number;
  /** Each consecutive crash multiplies the delay by this factor... */
  factor: number;
  /** ...up to this ceiling. */
  maxDelayMs: number;
  /** A child that ran at least this long before crashing starts again from initialDelayMs. */
  resetAfterUpMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoffPolicy = {
  initialDelayMs: 500,
  factor: 2,
  maxDelayMs: 30_000,
  resetAfterUpMs: 60_000,
};

/** Consecutive crashes counted after one more exit, given how long the child had been up. */
export function consecutiveCrashesAfterExit(previous: number, upForMs: number, policy: RestartBackoffPolicy): number {
  return upForMs >= policy.resetAfterUpMs ? 1 : previous + 1;
}

/** Delay before restarting a child that has now crashed `consecutiveCrashes` times in a row (>= 1). */
export function restartDelayMs(consecutiveCrashes: number, policy: RestartBackoffPolicy): number {
  const exponent = Math.max(0, consecutiveCrashes - 1);
  // Cap the exponent so huge crash counts cannot overflow to Infinity before the min().
  const delay = policy.initialDelayMs * Math.pow(policy.factor, Math.min(exponent, 64));
  return Math.min(policy.maxDelayMs, delay);
}
