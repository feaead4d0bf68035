import { describe, expect, it } from 'vitest';
import { childLineLevel } from './child-log-level.js';

describe('childLineLevel', () => {
  it('reads rtpengine-style severities', () => {
    expect(childLineLevel('[1700000000.123] ERR: [core] Failed to open socket')).toBe('error');
    expect(childLineLevel('[core] WARNING: Too many packets in UDP receive queue')).toBe('warn');
    expect(childLineLevel('NOTICE: [core] Startup complete')).toBe('info');
    expect(childLineLevel('DEBUG: [ng] Received command')).toBe('debug');
    expect(childLineLevel('CRIT: out of memory')).toBe('error');
  });
  it('ignores severity words inside other words and defaults to info', () => {
    expect(childLineLevel('rtpengine_errors_total 0')).toBe('info');
    expect(childLineLevel('INFORMATIONAL text')).toBe('info');
    expect(childLineLevel('')).toBe('info');
  });
  it('only looks at the start of a long line', () => {
    expect(childLineLevel('x'.repeat(500) + ' ERROR')).toBe('info');
  });
});
