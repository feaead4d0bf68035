import { describe, expect, it } from 'vitest';
import { formatRAck, parseRAck, parseRSeq } from './rack.js';

describe('RAck / RSeq', () => {
  it('parses RAck', () => {
    expect(parseRAck('776656 1 INVITE')).toEqual({ rseq: 776656, cseq: 1, method: 'INVITE' });
    expect(formatRAck({ rseq: 2, cseq: 3, method: 'INVITE' })).toBe('2 3 INVITE');
  });

  it.each(['', '1 2', '1 INVITE', 'a 2 INVITE', '1 2 IN VITE', '4294967296 1 INVITE'])('rejects RAck %j', (value) => {
    expect(parseRAck(value)).toBeUndefined();
  });

  it('parses RSeq in range', () => {
    expect(parseRSeq(' 42 ')).toBe(42);
    expect(parseRSeq('0')).toBeUndefined();
    expect(parseRSeq('4x')).toBeUndefined();
  });
});
