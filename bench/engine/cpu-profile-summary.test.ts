import { describe, expect, it } from 'vitest';
import { formatProfileSummary, summarizeProfile, type CpuProfile } from './cpu-profile-summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('parseSipMessage', 'file:///repo/dist/edge/engine/messages/parse-message.js', 41) },
    { id: 4, callFrame: frame('(garbage collector)') },
    // A second node for the same function (another call path) adds to the same entry.
    { id: 5, callFrame: frame('parseSipMessage', 'file:///repo/dist/edge/engine/messages/parse-message.js', 41) },
  ],
  samples: [2, 3, 3, 4, 5, 2],
  timeDeltas: [1000, 2000, 2000, 1000, 1000, 3000],
};

describe('summarizeProfile', () => {
  it('charges sample time to functions, merges call paths and leaves idle out of the shares', () => {
    const summary = summarizeProfile(PROFILE, 10, '/repo');
    expect(summary.idleMs).toBe(4);
    expect(summary.busyMs).toBe(6);
    expect(summary.top[0]).toEqual({ function: 'parseSipMessage (dist/edge/engine/messages/parse-message.js:42)', selfMs: 5, percent: (5 / 6) * 100 });
    expect(summary.top[1]?.function).toBe('(garbage collector)');
    expect(summary.top).toHaveLength(2);
    expect(summary.topFiles.map((entry) => [entry.function, entry.selfMs])).toEqual([
      ['dist/edge/engine/messages/parse-message.js', 5], ['(native)', 1],
    ]);
  });

  it('keeps only the requested number of functions and formats a table', () => {
    const summary = summarizeProfile(PROFILE, 1, '/repo');
    expect(summary.top).toHaveLength(1);
    expect(formatProfileSummary(summary)).toContain('| 5 | 83.3 | parseSipMessage (dist/edge/engine/messages/parse-message.js:42) |');
  });
});
