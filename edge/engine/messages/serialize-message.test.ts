import { describe, expect, it } from 'vitest';
import { serializeSipMessage } from './serialize-message.js';
import { parseSipMessage } from './parse-message.js';
import { SipHeaders, SipRequest, SipResponse } from './sip-message.js';

describe('serializeSipMessage', () => {
  it('writes canonical names, CRLF line ends and a Content-Length matching the body', () => {
    const headers = new SipHeaders([
      { name: 'v', value: 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1' },
      { name: 'f', value: '<sip:a@b>;tag=1' },
      { name: 't', value: '<sip:c@d>' },
      { name: 'i', value: 'x@y' },
      { name: 'cseq', value: '1 MESSAGE' },
      { name: 'l', value: '999' },
      { name: 'c', value: 'text/plain' },
    ]);
    const body = Buffer.from('héllo', 'utf8');
    const wire = serializeSipMessage(new SipRequest('MESSAGE', 'sip:c@d', headers, body)).toString('utf8');
    expect(wire).toBe([
      'MESSAGE sip:c@d SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>',
      'Call-ID: x@y', 'CSeq: 1 MESSAGE', 'Content-Length: 6', 'Content-Type: text/plain', '', 'héllo',
    ].join('\r\n'));
  });

  it('appends Content-Length when absent and writes 0 for an empty body', () => {
    const wire = serializeSipMessage(new SipResponse(200, 'OK', new SipHeaders([{ name: 'Call-ID', value: 'z' }])));
    expect(wire.toString()).toBe('SIP/2.0 200 OK\r\nCall-ID: z\r\nContent-Length: 0\r\n\r\n');
  });

  it('folds CR/LF inside values so an application cannot inject header lines', () => {
    const headers = new SipHeaders([{ name: 'Subject', value: 'a\r\nInjected: yes' }]);
    expect(serializeSipMessage(new SipResponse(200, 'OK', headers)).toString()).toContain('Subject: a Injected: yes\r\n');
  });

  it('round-trips through the parser, binary body included', () => {
    const body = Buffer.from([0, 1, 2, 13, 10, 13, 10, 255]);
    const headers = new SipHeaders([
      { name: 'Via', value: 'SIP/2.0/TCP [::1]:5060;branch=z9hG4bK9' },
      { name: 'From', value: '"A" <sip:a@b>;tag=1' },
      { name: 'To', value: '<sip:c@d>;tag=2' },
      { name: 'Call-ID', value: 'id' },
      { name: 'CSeq', value: '7 INVITE' },
    ]);
    const parsed = parseSipMessage(serializeSipMessage(new SipResponse(183, 'Session Progress', headers, body)));
    expect(parsed).toBeInstanceOf(SipResponse);
    expect([...parsed.headers].slice(0, 5)).toEqual([...headers]);
    expect(parsed.headers.get('Content-Length')).toBe('8');
    expect(parsed.body.equals(body)).toBe(true);
  });
});
