import { describe, expect, it } from 'vitest';
import { formatSipUri, isAbsoluteUri, parseHostPort, parseSipUri, unescapeUriPart, uriScheme } from './sip-uri.js';

describe('parseSipUri', () => {
  it('parses user, password, host, port, params and headers', () => {
    const uri = parseSipUri('sips:alice:secret@Example.COM:5061;transport=tls;LR;maddr=10.0.0.1?subject=hi&priority=urgent');
    expect(uri).toEqual({
      scheme: 'sips', user: 'alice', password: 'secret', host: 'Example.COM', port: 5061,
      params: new Map([['transport', 'tls'], ['lr', null], ['maddr', '10.0.0.1']]),
      headers: new Map([['subject', 'hi'], ['priority', 'urgent']]),
    });
  });

  it('accepts IPv4, IPv6 references and hostnames without user', () => {
    expect(parseSipUri('sip:192.0.2.1')).toMatchObject({ host: '192.0.2.1' });
    expect(parseSipUri('sip:[2001:db8::1]:5060;lr')).toMatchObject({ host: '[2001:db8::1]', port: 5060 });
    expect(parseSipUri('SIP:bob@[::1]')).toMatchObject({ scheme: 'sip', user: 'bob', host: '[::1]' });
    // RFC 5118 §4.3: inside the brackets the last group is part of the address, not a port.
    const noPort = parseSipUri('sip:[2001:db8::10:5070]');
    expect(noPort?.host).toBe('[2001:db8::10:5070]');
    expect(noPort?.port).toBeUndefined();
    expect(parseSipUri('sip:user@[::ffff:192.0.2.10]:5060')).toMatchObject({ host: '[::ffff:192.0.2.10]', port: 5060 });
  });

  it('keeps escapes in the user part and allows user-unreserved characters', () => {
    expect(parseSipUri('sip:I%20have%20spaces@example.net')?.user).toBe('I%20have%20spaces');
    expect(parseSipUri('sip:user;par=u%40example.net@example.com')?.user).toBe('user;par=u%40example.net');
    expect(parseSipUri('sip:+1-212-555-0100;phone-context=x@gw;user=phone')?.params.get('user')).toBe('phone');
  });

  it('accepts a parameter with an empty value and writes it back unchanged (issue 7)', () => {
    const uri = parseSipUri('sip:bob@example.com;unknownparam=;transport=tcp');
    expect(uri?.params.get('unknownparam')).toBe('');
    expect(uri?.params.get('transport')).toBe('tcp');
    expect(formatSipUri(uri!)).toBe('sip:bob@example.com;unknownparam=;transport=tcp');
  });

  it('parses tel URIs', () => {
    expect(parseSipUri('tel:+1-201-555-0123;phone-context=example.com')).toMatchObject({
      scheme: 'tel', user: '+1-201-555-0123', host: '', params: new Map([['phone-context', 'example.com']]),
    });
  });

  it.each([
    'http://example.com', 'sip:', 'sip:@example.com', 'sip:user@', 'sip:user@exa mple.com', 'sip:a@b:99999',
    'sip:a@b:5o60', 'sip:a@[::1', 'sip:a@[zz::1]', 'sip:a@b;', 'sip:a@b;=x', 'sip:a@b?', 'sip:a@b?x', 'sip:a@b?x=1&',
    'sip:[2001:db8:::192.0.2.151]', 'sip:2001:db8::10', 'sip:[::ffff:1.2.3]',
    'sip:bad%2@example.com', 'sip:bad%zz@example.com', 'sip:a<b@example.com', 'tel:', 'tel:+1 555',
  ])('rejects %j', (text) => {
    expect(parseSipUri(text)).toBeUndefined();
  });

  it('round-trips through formatSipUri', () => {
    for (const text of [
      'sip:alice@example.com', 'sips:alice:pw@example.com:5061;transport=tls;lr?x=1&y=2',
      'sip:[2001:db8::1]:5060;lr', 'tel:+15551234;phone-context=example.com',
    ]) {
      expect(formatSipUri(parseSipUri(text)!)).toBe(text);
    }
  });
});

describe('URI helpers', () => {
  it('uriScheme returns the lower-cased scheme of an absolute URI', () => {
    expect(uriScheme('SIPS:x')).toBe('sips');
    expect(uriScheme('soap.beep://h')).toBe('soap.beep');
    expect(uriScheme('1sip:x')).toBeUndefined();
    expect(uriScheme('sip:')).toBeUndefined();
    expect(uriScheme('<sip:x>')).toBeUndefined();
  });

  it('isAbsoluteUri refuses whitespace, quotes and angle brackets', () => {
    expect(isAbsoluteUri('nobodyKnowsThisScheme:totallyopaquecontent')).toBe(true);
    expect(isAbsoluteUri('sip:a b')).toBe(false);
    expect(isAbsoluteUri('sip:a>')).toBe(false);
  });

  it('parseHostPort validates ports', () => {
    expect(parseHostPort('host:0', 0, 6)).toEqual({ host: 'host', port: 0 });
    expect(parseHostPort('host:', 0, 5)).toBeUndefined();
    expect(parseHostPort('[::1]x', 0, 6)).toBeUndefined();
  });
});

describe('unescapeUriPart', () => {
  it('decodes escapes as UTF-8 octets and keeps everything else', () => {
    expect(unescapeUriPart('%75se%72')).toBe('user');
    expect(unescapeUriPart('sips%3Auser%40example.com')).toBe('sips:user@example.com');
    expect(unescapeUriPart('null-%00-null')).toBe('null-\u0000-null');
    expect(unescapeUriPart('caf%C3%A9')).toBe('café');
    expect(unescapeUriPart('plain')).toBe('plain');
  });

  it('refuses incomplete escapes', () => {
    expect(unescapeUriPart('a%4')).toBeUndefined();
    expect(unescapeUriPart('a%zz')).toBeUndefined();
  });
});
