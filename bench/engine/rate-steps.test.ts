import { describe, expect, it } from 'vitest';
import { failedCalls, highestPassingRate, parseRates, shouldContinue, type StepOutcome } from './rate-steps.js';

const step = (rate: number, failed: number, attempted = rate * 40): StepOutcome => ({ rate, attempted, successful: attempted - failed, failed });

describe('parseRates', () => {
  it('reads rising comma-separated rates', () => {
    expect(parseRates('100, 200,375')).toEqual([100, 200, 375]);
  });

  it('rejects non-numbers, zero and falling lists', () => {
    expect(() => parseRates('100,abc')).toThrow(/positive numbers/);
    expect(() => parseRates('0,100')).toThrow(/positive numbers/);
    expect(() => parseRates('200,100')).toThrow(/rise/);
  });
});

describe('highestPassingRate', () => {
  const steps = [step(100, 0), step(200, 0), step(300, 10), step(375, 200), step(450, 0)];

  it('with a 0 mark, is the last rate before the first failed call', () => {
    expect(highestPassingRate(steps, 0)).toBe(200);
  });

  it('with the 0.5% mark, tolerates a few failures (10 of 12,000)', () => {
    expect(highestPassingRate(steps, 0.005)).toBe(300);
  });

  it('ignores a rate that passes after a lower one failed', () => {
    expect(highestPassingRate([step(100, 500), step(200, 0)], 0.005)).toBeUndefined();
  });

  it('does not count a step with no calls as passing', () => {
    expect(highestPassingRate([step(100, 0, 0)], 0)).toBeUndefined();
  });
});

describe('failedCalls and shouldContinue', () => {
  it('counts calls SIPp created but never finished as failed', () => {
    expect(failedCalls(1000, 990, 4)).toBe(10);
    expect(failedCalls(1000, 1000, 0)).toBe(0);
  });

  it('stops stepping at the first step at or over 0.5% failed', () => {
    expect(shouldContinue(step(100, 19, 4000))).toBe(true);
    expect(shouldContinue(step(100, 20, 4000))).toBe(false);
  });
});
