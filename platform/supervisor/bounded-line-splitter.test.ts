import { describe, expect, it } from 'vitest';
import { BoundedLineSplitter, TRUNCATION_MARK } from './bounded-line-splitter.js';

describe('BoundedLineSplitter', () => {
  it('joins lines split across chunks and strips CR', () => {
    const splitter = new BoundedLineSplitter(100);
    expect(splitter.push('first li')).toEqual([]);
    expect(splitter.push('ne\r\nsecond\nthi')).toEqual(['first line', 'second']);
    expect(splitter.push('rd\n\n')).toEqual(['third', '']);
    expect(splitter.end()).toEqual([]);
  });

  it('returns an unterminated last line at the end', () => {
    const splitter = new BoundedLineSplitter(100);
    splitter.push('a\nlast words');
    expect(splitter.end()).toEqual(['last words']);
  });

  it('cuts an overlong line once and drops the rest of it up to the newline', () => {
    const splitter = new BoundedLineSplitter(10);
    expect(splitter.push('0123456789ABC')).toEqual([`0123456789${TRUNCATION_MARK}`]);
    expect(splitter.push('D'.repeat(100_000))).toEqual([]);
    expect(splitter.push('EEE\nnext\n')).toEqual(['next']);
  });

  it('keeps memory bounded whatever the input', () => {
    const splitter = new BoundedLineSplitter(1000);
    let emitted = 0;
    for (let k = 0; k < 1000; k++) emitted += splitter.push('x'.repeat(10_000)).length;
    expect(emitted).toBe(1);
    expect(splitter.end()).toEqual([]);
  });

  it('cuts a long line that arrives in one chunk with its newline', () => {
    const splitter = new BoundedLineSplitter(5);
    expect(splitter.push('abcdefgh\nok\n')).toEqual([`abcde${TRUNCATION_MARK}`, 'ok']);
  });
});
