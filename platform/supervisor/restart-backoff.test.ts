import { describe, expect, it } from 'vitest';
import { consecutiveCrashesAfterExit, DEFAULT_RESTART_BACKOFF, restartDelayMs } from './restart-backoff.js';

describe('restartDelayMs', () => {
  it('doubles from 0.5 s up to 30 s', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => restartDelayMs(n, DEFAULT_RESTART_BACKOFF));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
  it('stays at the ceiling for absurd crash counts', () => {
    expect(restartDelayMs(1_000_000, DEFAULT_RESTART_BACKOFF)).toBe(30_000);
  });
  it('treats zero crashes like the first', () => {
    expect(restartDelayMs(0, DEFAULT_RESTART_BACKOFF)).toBe(500);
  });
});

describe('consecutiveCrashesAfterExit', () => {
  it('counts crashes of a child that keeps dying quickly', () => {
    let crashes = 0;
    for (let k = 0; k < 5; k++) crashes = consecutiveCrashesAfterExit(crashes, 1_000, DEFAULT_RESTART_BACKOFF);
    expect(crashes).toBe(5);
  });
  it('resets after the child stayed up for 60 s', () => {
    expect(consecutiveCrashesAfterExit(7, 59_999, DEFAULT_RESTART_BACKOFF)).toBe(8);
    expect(consecutiveCrashesAfterExit(7, 60_000, DEFAULT_RESTART_BACKOFF)).toBe(1);
  });
});
