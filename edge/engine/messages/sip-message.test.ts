import { describe, expect, it } from 'vitest';
import { SipHeaders, canonicalHeaderName } from './sip-message.js';

describe('SipHeaders', () => {
  it('looks up case-insensitively and through compact forms, keeping order', () => {
    const headers = new SipHeaders([
      { name: 'v', value: 'one' },
      { name: 'To', value: 't' },
      { name: 'VIA', value: 'two' },
    ]);
    expect(headers.get('via')).toBe('one');
    expect(headers.getAll('V')).toEqual(['one', 'two']);
    expect(headers.has('t')).toBe(true);
    expect([...headers].map((f) => f.name)).toEqual(['Via', 'To', 'Via']);
  });

  it('set replaces every occurrence at the first position; prepend/removeFirst/remove keep lookups right', () => {
    const headers = new SipHeaders([
      { name: 'Via', value: 'a' }, { name: 'X-Y', value: '1' }, { name: 'Via', value: 'b' },
    ]);
    headers.prepend('Via', 'top');
    expect(headers.getAll('Via')).toEqual(['top', 'a', 'b']);
    expect(headers.removeFirst('via')).toBe('top');
    headers.set('Via', 'only');
    expect([...headers]).toEqual([{ name: 'Via', value: 'only' }, { name: 'X-Y', value: '1' }]);
    headers.remove('x-y');
    expect(headers.size).toBe(1);
    headers.appendCanonical('Call-ID', 'call-id', 'c');
    expect(headers.get('i')).toBe('c');
    const copy = headers.clone();
    copy.set('Via', 'changed');
    expect(headers.get('Via')).toBe('only');
  });

  it('canonicalHeaderName expands compact forms and fixes case of known names', () => {
    expect(canonicalHeaderName('m')).toBe('Contact');
    expect(canonicalHeaderName('cseq')).toBe('CSeq');
    expect(canonicalHeaderName('X-Custom')).toBe('X-Custom');
  });
});
