import { describe, expect, it } from 'vitest';
import { formatNameAddr, getTag, parseNameAddr, withTag } from './name-addr.js';

describe('parseNameAddr', () => {
  it('parses quoted display names with escapes and params after >', () => {
    expect(parseNameAddr('"Bob \\"B\\" Smith" <sip:bob@example.com;transport=tcp> ;tag=a1; expires = 60')).toEqual({
      displayName: 'Bob "B" Smith', uri: 'sip:bob@example.com;transport=tcp',
      params: new Map([['tag', 'a1'], ['expires', '60']]),
    });
  });

  it('parses token display names, with or without LWS before <', () => {
    expect(parseNameAddr('Alice Liddell <sip:alice@example.com>')?.displayName).toBe('Alice Liddell');
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323')?.displayName).toBe('caller');
    expect(parseNameAddr('<sip:a@b>')?.displayName).toBeUndefined();
  });

  it('treats ; after a bare addr-spec as header parameters', () => {
    expect(parseNameAddr('sip:alice@example.com;tag=1;lr')).toEqual({
      uri: 'sip:alice@example.com', params: new Map([['tag', '1'], ['lr', null]]),
    });
  });

  it('keeps quoted parameter values raw, including ; inside the quotes', () => {
    expect(parseNameAddr('<sip:a@b>;+sip.instance="<urn:uuid:1;2>"')?.params.get('+sip.instance')).toBe('"<urn:uuid:1;2>"');
  });

  it.each([
    '', '"unterminated <sip:a@b>', 'Bell, Alexander <sip:a@b>', '"x" < sip:a@b >', '<sip:a@b', 'sip:a@b?x=1',
    'sip:a@b;;', '<sip:a@b>;', '<sip:a@b>;tag=', '"x" sip:a@b', 'no-scheme', '<sip:a@b> junk',
  ])('rejects %j', (text) => {
    expect(parseNameAddr(text)).toBeUndefined();
  });
});

describe('formatNameAddr', () => {
  it('quotes display names that are not plain tokens', () => {
    expect(formatNameAddr({ displayName: 'Alice', uri: 'sip:a@b', params: new Map([['tag', '1']]) })).toBe('Alice <sip:a@b>;tag=1');
    expect(formatNameAddr({ displayName: 'Bell, "A"', uri: 'sip:a@b', params: new Map() })).toBe('"Bell, \\"A\\"" <sip:a@b>');
    expect(formatNameAddr({ uri: 'sip:a@b', params: new Map() })).toBe('<sip:a@b>');
  });

  it('round-trips through parseNameAddr', () => {
    const value = '"J \\\\ R" <sip:j@example.com>;tag=9;lr';
    expect(formatNameAddr(parseNameAddr(value)!)).toBe(value);
  });
});

describe('getTag / withTag', () => {
  it.each([
    ['<sip:a@b>;tag=abc', 'abc'],
    ['"x;tag=no" <sip:a@b>;tag=yes', 'yes'],
    ['<sip:a@b;tag=uri-param>', undefined],
    ['sip:a@b ; TAG = spaced', 'spaced'],
    ['sip:a@b;tag=1;other', '1'],
    ['<sip:a@b>', undefined],
    ['garbage', undefined],
  ])('getTag(%j) is %j', (value, tag) => {
    expect(getTag(value)).toBe(tag);
  });

  it('withTag adds or replaces the tag', () => {
    expect(withTag('<sip:a@b>', 'x1')).toBe('<sip:a@b>;tag=x1');
    expect(withTag('"A" <sip:a@b>;tag=old', 'new')).toBe('A <sip:a@b>;tag=new');
    expect(getTag(withTag('sip:a@b;foo', 'z'))).toBe('z');
  });
});
