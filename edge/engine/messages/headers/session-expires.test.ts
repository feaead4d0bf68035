import { describe, expect, it } from 'vitest';
import { formatSessionExpires, parseMinSE, parseSessionExpires } from './session-expires.js';

describe('Session-Expires / Min-SE', () => {
  it('parses delta-seconds, refresher and other params', () => {
    expect(parseSessionExpires('1800;refresher=UAC;x=1')).toEqual({
      deltaSeconds: 1800, refresher: 'uac', params: new Map([['refresher', 'UAC'], ['x', '1']]),
    });
    expect(parseSessionExpires('90')).toEqual({ deltaSeconds: 90, params: new Map() });
  });

  it.each(['', 'abc', '1800;refresher=proxy', '1800;', '99999999999'])('rejects %j', (value) => {
    expect(parseSessionExpires(value)).toBeUndefined();
  });

  it('formats with the refresher field', () => {
    expect(formatSessionExpires({ deltaSeconds: 600, refresher: 'uas', params: new Map() })).toBe('600;refresher=uas');
  });

  it('parses Min-SE', () => {
    expect(parseMinSE('90;foo')).toBe(90);
    expect(parseMinSE('x')).toBeUndefined();
  });
});
