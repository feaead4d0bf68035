/** Pure logic of the calls-per-second step benchmark: which steps to run and what they mean. */

/** The C++ drachtio-server reference's pass mark: under 0.5% failed calls. */
export const REFERENCE_FAILED_RATIO = 0.005;

export const DEFAULT_RATES = [100, 200, 300, 375, 450, 500, 560, 600, 700, 800, 900, 1000] as const;

export interface StepOutcome {
  rate: number;
  attempted: number;
  successful: number;
  /** Calls that did not succeed, including ones still unfinished when SIPp gave up. */
  failed: number;
}

/** Parses "100,200,375" into rising positive rates; throws on anything else. */
export function parseRates(text: string): number[] {
  const rates = text.split(',').map((part) => Number(part.trim()));
  if (rates.length === 0 || rates.some((rate) => !Number.isFinite(rate) || rate <= 0)) {
    throw new Error(`--rates must be comma-separated positive numbers, got "${text}"`);
  }
  for (let i = 1; i < rates.length; i++) {
    if (rates[i]! <= rates[i - 1]!) throw new Error(`--rates must rise, got "${text}"`);
  }
  return rates;
}

export function failedRatio(step: StepOutcome): number {
  return step.attempted === 0 ? 1 : step.failed / step.attempted;
}

/** Failed calls from SIPp's counters: whatever was created and did not succeed. */
export function failedCalls(created: number, successful: number, failedCounter: number): number {
  return Math.max(failedCounter, created - successful);
}

/**
 * The highest rate whose step, and every step below it, stayed within the failure ratio:
 * a rate that passes only after a lower one failed is noise, not capacity.
 */
export function highestPassingRate(steps: readonly StepOutcome[], maxFailedRatio: number): number | undefined {
  let best: number | undefined;
  for (const step of steps) {
    const ratio = failedRatio(step);
    const passed = maxFailedRatio === 0 ? step.failed === 0 && step.attempted > 0 : ratio < maxFailedRatio;
    if (!passed) break;
    best = step.rate;
  }
  return best;
}

/** Keep stepping up while the last step is within the reference's pass mark. */
export function shouldContinue(last: StepOutcome): boolean {
  return failedRatio(last) < REFERENCE_FAILED_RATIO;
}
