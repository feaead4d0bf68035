import { describe, expect, it } from 'vitest';
import { FakeClock } from '../timers/clock.js';
import { SourceRateLimit } from './source-rate-limit.js';

describe('SourceRateLimit (pike-style)', () => {
  it('admits a source up to the rate, then gives it silence for the block time, counted', () => {
    const clock = new FakeClock();
    const limit = new SourceRateLimit({ messagesPerSecond: 5, blockMs: 3000 }, clock);
    const results = Array.from({ length: 8 }, () => limit.admit('127.0.0.2'));
    expect(results).toEqual([true, true, true, true, true, false, false, false]);
    expect(limit.blocks).toBe(1);
    expect(limit.dropped).toBe(3);
    expect(limit.blockedSources()).toBe(1);
    // Another source is not affected.
    expect(limit.admit('127.0.0.3')).toBe(true);
    clock.advance(2999);
    expect(limit.admit('127.0.0.2')).toBe(false);
    clock.advance(1);
    expect(limit.admit('127.0.0.2')).toBe(true);
    expect(limit.blocks).toBe(1);
  });

  it('starts a fresh count each second, so a steady rate at the limit is never blocked', () => {
    const clock = new FakeClock();
    const limit = new SourceRateLimit({ messagesPerSecond: 10, blockMs: 1000 }, clock);
    for (let second = 0; second < 5; second++) {
      for (let i = 0; i < 10; i++) expect(limit.admit('127.0.0.2')).toBe(true);
      clock.advance(1000);
    }
    expect(limit.blocks).toBe(0);
  });

  it('forgets quiet sources, so its memory returns to baseline after a flood of many sources', () => {
    const clock = new FakeClock();
    const limit = new SourceRateLimit({ messagesPerSecond: 1, blockMs: 2000 }, clock);
    for (let i = 0; i < 1000; i++) limit.admit(`10.0.${i >> 8}.${i & 255}`);
    limit.admit('10.0.0.0');
    expect(limit.trackedSources).toBe(1000);
    clock.advance(1000);
    limit.admit('127.0.0.9');
    // Only the blocked source and the new one are left.
    expect(limit.trackedSources).toBe(2);
    clock.advance(2000);
    limit.admit('127.0.0.9');
    expect(limit.trackedSources).toBe(1);
  });

  it('admits untracked sources beyond maxTrackedSources, and does nothing when disabled', () => {
    const clock = new FakeClock();
    const bounded = new SourceRateLimit({ messagesPerSecond: 1, blockMs: 1000, maxTrackedSources: 2 }, clock);
    bounded.admit('a');
    bounded.admit('b');
    expect(bounded.admit('c')).toBe(true);
    expect(bounded.admit('c')).toBe(true);
    expect(bounded.trackedSources).toBe(2);
    const off = new SourceRateLimit({ messagesPerSecond: 0, blockMs: 1000 }, clock);
    for (let i = 0; i < 100; i++) expect(off.admit('a')).toBe(true);
    expect(off.trackedSources).toBe(0);
  });
});
