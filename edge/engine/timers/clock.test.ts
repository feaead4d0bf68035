import { describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from './clock.js';

describe('FakeClock', () => {
  it('fires due timers in due order, ties in the order they were set, at their due time', () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    const record = (label: string): void => {
      fired.push(`${label}@${clock.now()}`);
    };
    clock.setTimer(300, record, 'c');
    clock.setTimer(100, record, 'a');
    clock.setTimer(100, record, 'b');
    clock.setTimer(1000, record, 'late');
    clock.advance(500);
    expect(fired).toEqual(['a@100', 'b@100', 'c@300']);
    expect(clock.now()).toBe(500);
    expect(clock.pendingTimers).toBe(1);
  });

  it('honours timers set by a firing timer within the same advance', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const rearm = (remaining: number): void => {
      fired.push(clock.now());
      if (remaining > 0) clock.setTimer(100, rearm, remaining - 1);
    };
    clock.setTimer(100, rearm, 3);
    clock.advance(1000);
    expect(fired).toEqual([100, 200, 300, 400]);
  });

  it('does not fire cleared timers', () => {
    const clock = new FakeClock();
    let fired = 0;
    const handle = clock.setTimer(10, () => fired++);
    clock.clearTimer(handle);
    clock.advance(100);
    expect(fired).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('systemClock', () => {
  it('fires a real timer with its argument and can clear one', async () => {
    const fired: string[] = [];
    const cleared = systemClock.setTimer(5, (label: string) => fired.push(label), 'cleared');
    systemClock.clearTimer(cleared);
    await new Promise<void>((resolve) => systemClock.setTimer(10, (label: string) => {
      fired.push(label);
      resolve();
    }, 'fired'));
    expect(fired).toEqual(['fired']);
    expect(systemClock.now()).toBeGreaterThan(0);
  });
});
