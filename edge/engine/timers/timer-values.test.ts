import { describe, expect, it } from 'vitest';
import { resolveTimerValues } from './timer-values.js';

describe('resolveTimerValues', () => {
  it('gives RFC 3261 Table 4 and RFC 6026 defaults', () => {
    const timers = resolveTimerValues();
    expect(timers).toMatchObject({
      t1: 500, t2: 4000, t4: 5000,
      timerA: 500, timerB: 32_000, timerC: 180_000, timerD: 32_000,
      timerE: 500, timerF: 32_000, timerG: 500, timerH: 32_000,
      timerI: 5000, timerJ: 32_000, timerK: 5000, timerL: 32_000, timerM: 32_000,
    });
  });

  it('derives every timer from a changed T1/T4, and keeps single overrides', () => {
    const timers = resolveTimerValues({ t1: 100, t4: 1000, timerD: 5000 });
    expect(timers.timerA).toBe(100);
    expect(timers.timerB).toBe(6400);
    expect(timers.timerF).toBe(6400);
    expect(timers.timerH).toBe(6400);
    expect(timers.timerJ).toBe(6400);
    expect(timers.timerL).toBe(6400);
    expect(timers.timerM).toBe(6400);
    expect(timers.timerI).toBe(1000);
    expect(timers.timerK).toBe(1000);
    expect(timers.timerD).toBe(5000);
  });

  it('rejects nonsense values with the timer named', () => {
    expect(() => resolveTimerValues({ t1: 0 })).toThrow(/t1/);
    expect(() => resolveTimerValues({ timerB: -1 })).toThrow(/timerB/);
    expect(() => resolveTimerValues({ t2: Number.NaN })).toThrow(/t2/);
  });
});
