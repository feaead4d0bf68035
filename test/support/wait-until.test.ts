import { describe, expect, it } from 'vitest';
import { waitForValue, waitUntil } from './wait-until.js';

describe('waitForValue', () => {
  it('resolves with the first defined value, polling until then', async () => {
    let calls = 0;
    const value = await waitForValue(() => (++calls === 3 ? 'ready' : undefined), 'the third call', { intervalMs: 1 });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('names what it waited for when it gives up', async () => {
    await expect(waitForValue(() => undefined, 'a reply', { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow('timed out waiting for a reply');
  });
});

describe('waitUntil', () => {
  it('accepts async conditions and fails with the condition named', async () => {
    let calls = 0;
    await waitUntil(() => Promise.resolve(++calls >= 2), 'the second call', { intervalMs: 1 });
    expect(calls).toBe(2);
    await expect(waitUntil(() => false, 'never', { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow('timed out waiting for never');
  });
});
