import { describe, expect, it } from 'vitest';
import { parseSipMessage } from './parse-message.js';
import { SipParseError } from './sip-parse-error.js';
import { SipRequest, SipResponse } from './sip-message.js';

const INVITE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;rport',
  'Max-Forwards: 70',
  'f: "Alice" <sip:alice@example.com>;tag=abc',
  'To: <sip:bob@example.com>',
  'i: 123@host',
  'CSeq: 1 INVITE',
  'm: <sip:alice@127.0.0.1>',
  'c: application/sdp',
  'l: 5',
  '',
  'v=0\r\n',
].join('\r\n');

function request(lines: string[], body = ''): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

const BASE = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1',
  'From: <sip:alice@example.com>;tag=1',
  'To: <sip:bob@example.com>',
  'Call-ID: abc',
  'CSeq: 1 OPTIONS',
];

function parseError(data: Buffer): SipParseError {
  try {
    parseSipMessage(data);
  } catch (error) {
    expect(error).toBeInstanceOf(SipParseError);
    return error as SipParseError;
  }
  throw new Error('expected a SipParseError');
}

describe('parseSipMessage', () => {
  it('parses a request with compact headers and slices the body by Content-Length', () => {
    const msg = parseSipMessage(Buffer.from(INVITE + 'trailing garbage'));
    expect(msg).toBeInstanceOf(SipRequest);
    const req = msg as SipRequest;
    expect(req.method).toBe('INVITE');
    expect(req.uri).toBe('sip:bob@example.com');
    expect(req.headers.get('From')).toBe('"Alice" <sip:alice@example.com>;tag=abc');
    expect(req.headers.get('Call-ID')).toBe('123@host');
    expect(req.headers.get('content-type')).toBe('application/sdp');
    expect([...req.headers].map((h) => h.name)).toContain('Contact');
    expect(req.body.toString()).toBe('v=0\r\n');
  });

  it('accepts CSeq 4294967295 and a URI parameter with an empty value (issue 7: both got 400)', () => {
    const msg = parseSipMessage(request([
      'OPTIONS sip:bob@example.com;unknownparam= SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1',
      'From: <sip:alice@example.com>;tag=1', 'To: <sip:bob@example.com;unknownparam=>', 'Call-ID: abc', 'CSeq: 4294967295 OPTIONS',
    ])) as SipRequest;
    expect(msg.uri).toBe('sip:bob@example.com;unknownparam=');
    expect(msg.headers.get('CSeq')).toBe('4294967295 OPTIONS');
  });

  it('parses a response with an empty reason phrase', () => {
    const msg = parseSipMessage(Buffer.from([
      'SIP/2.0 180 ', BASE[1], BASE[2], BASE[3], BASE[4], 'CSeq: 1 INVITE', 'Content-Length: 0', '', '',
    ].join('\r\n')));
    expect(msg).toBeInstanceOf(SipResponse);
    expect((msg as SipResponse).status).toBe(180);
    expect((msg as SipResponse).reason).toBe('');
  });

  it('joins folded lines with one space and keeps inner whitespace', () => {
    const msg = parseSipMessage(request([...BASE, 'Subject: first', '   second\t', '\tthird']));
    expect(msg.headers.get('Subject')).toBe('first second third');
  });

  it('takes the rest of a datagram as the body when Content-Length is absent', () => {
    expect(parseSipMessage(request(BASE, 'abc')).body.toString()).toBe('abc');
  });

  it('ignores CRLFs before the start line and accepts bare LF line ends', () => {
    const msg = parseSipMessage(Buffer.from(`\r\n\r\n${BASE.join('\n')}\n\n`));
    expect(msg.headers.get('CSeq')).toBe('1 OPTIONS');
  });

  it('finds the end of bare-LF headers even when the body contains CRLFCRLF', () => {
    const msg = parseSipMessage(Buffer.from(`${BASE.join('\n')}\n\nbody\r\n\r\nmore`));
    expect(msg.body.toString()).toBe('body\r\n\r\nmore');
    const mixed = parseSipMessage(Buffer.from(`${BASE.join('\r\n')}\n\r\nx`));
    expect(mixed.headers.get('CSeq')).toBe('1 OPTIONS');
    expect(mixed.body.toString()).toBe('x');
  });

  it('rejects a header section without an empty line after it', () => {
    expect(parseError(Buffer.from(BASE.join('\r\n'))).reason).toMatch(/no empty line/);
  });

  it('rejects a Content-Length larger than the data with 400 and a usable partial', () => {
    const error = parseError(request([...BASE, 'Content-Length: 10'], 'abc'));
    expect(error.status).toBe(400);
    expect(error.reason).toMatch(/Content-Length 10 exceeds/);
    expect(error.partial).toMatchObject({ kind: 'request', method: 'OPTIONS', callId: 'abc', cseq: '1 OPTIONS' });
    expect(error.partial?.via).toHaveLength(1);
    expect(error.canRespond).toBe(true);
  });

  it.each([
    ['negative Content-Length', [...BASE, 'Content-Length: -1'], /Content-Length/],
    ['CSeq method mismatch', [...BASE.slice(0, 5), 'CSeq: 1 INVITE'], /does not match/],
    ['CSeq out of range', [...BASE.slice(0, 5), 'CSeq: 4294967296 OPTIONS'], /CSeq/],
    ['missing To', BASE.filter((l) => !l.startsWith('To')), /missing mandatory header: To/],
    ['two Call-IDs', [...BASE, 'Call-ID: other'], /more than one Call-ID/],
    ['unterminated quote', [...BASE.slice(0, 3), 'To: "Bob <sip:bob@example.com>', ...BASE.slice(4)], /malformed To/],
    ['spaces in the Request-URI', ['OPTIONS sip:bob@example.com; lr SIP/2.0', ...BASE.slice(1)], /whitespace/],
    ['angle brackets around the Request-URI', ['OPTIONS <sip:bob@example.com> SIP/2.0', ...BASE.slice(1)], /absolute URI/],
    ['header without colon', [...BASE, 'Garbage'], /without a colon/],
    ['Max-Forwards above 255', [...BASE, 'Max-Forwards: 256'], /Max-Forwards/],
    ['malformed Via', [...BASE.slice(0, 1), 'Via: SIP/2.0/UDP', ...BASE.slice(2)], /Via/],
  ])('rejects %s with 400', (_label, lines, reason) => {
    const error = parseError(request(lines as string[]));
    expect(error.status).toBe(400);
    expect(error.reason).toMatch(reason as RegExp);
  });

  it('still recovers Via, From, To, Call-ID and CSeq after a bad header line, so a 400 can be sent', () => {
    const error = parseError(request([BASE[0]!, 'Garbage line', 'X-Bad\r: y', BASE[1]!, BASE[2]!, ' ;x=1', ...BASE.slice(3)]));
    expect(error.status).toBe(400);
    expect(error.reason).toMatch(/without a colon/);
    expect(error.canRespond).toBe(true);
    expect(error.partial).toMatchObject({ via: [BASE[1]!.slice(5)], from: '<sip:alice@example.com>;tag=1 ;x=1', cseq: '1 OPTIONS' });
  });

  it('answers an unknown SIP version with 505', () => {
    expect(parseError(request(['OPTIONS sip:bob@example.com SIP/7.0', ...BASE.slice(1)])).status).toBe(505);
  });

  it('enforces the limits with clear reasons', () => {
    const big = request([...BASE, `X-Long: ${'a'.repeat(100)}`]);
    expect(() => parseSipMessage(big, { maxMessageBytes: 100 })).toThrow(/exceeds the 100-byte limit/);
    expect(parseError(Buffer.concat([big, Buffer.alloc(70000, 0x61)])).status).toBe(513);
    expect(() => parseSipMessage(big, { maxLineBytes: 50 })).toThrow(/header line longer than 50/);
    expect(() => parseSipMessage(big, { maxHeaders: 3 })).toThrow(/more than 3 header fields/);
    const longUri = request([`OPTIONS sip:${'a'.repeat(9000)}@example.com SIP/2.0`, ...BASE.slice(1)]);
    expect(parseError(longUri).status).toBe(414);
  });

  it('gives no status for a broken response or for non-SIP data (drop, never answer)', () => {
    expect(parseError(Buffer.from('SIP/2.0 999 Nope\r\n\r\n')).status).toBeUndefined();
    expect(parseError(Buffer.from('\x16\x03\x01\x02\x00garbage\r\n\r\n')).status).toBeUndefined();
    expect(parseError(Buffer.from('\r\n\r\n')).status).toBeUndefined();
  });
});
