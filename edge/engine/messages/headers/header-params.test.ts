import { describe, expect, it } from 'vitest';
import { formatParams, parseParams } from './header-params.js';

describe('parseParams', () => {
  it('parses names (lower-cased), values and valueless params with LWS', () => {
    expect(parseParams('x ; A = 1 ;b; c="q;v"', 1)).toEqual(new Map([['a', '1'], ['b', null], ['c', '"q;v"']]));
  });

  it.each([';', ';;', ';=1', ';a=', ';a="x', 'junk', ';a b'])('rejects %j', (text) => {
    expect(parseParams(text, 0)).toBeUndefined();
  });

  it('formats in order', () => {
    expect(formatParams(new Map<string, string | null>([['lr', null], ['q', '0.5']]))).toBe(';lr;q=0.5');
  });
});
