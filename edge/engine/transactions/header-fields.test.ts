import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../messages/sip-message.js';
import { parseCSeqValue, parseViaParm, splitFirstVia, tagOf, topVia } from './header-fields.js';

describe('header fields read by the transaction layer', () => {
  it('reads the top via-parm of a comma-joined Via line', () => {
    const headers = new SipHeaders([{ name: 'v', value: 'SIP/2.0/TCP a.example:5070;branch=z9hG4bK1, SIP/2.0/UDP b.example' }]);
    expect(topVia(headers)).toMatchObject({ transport: 'tcp', host: 'a.example', port: 5070, branch: 'z9hG4bK1' });
    expect(splitFirstVia('SIP/2.0/UDP x;branch=1 , SIP/2.0/UDP y').rest).toBe('SIP/2.0/UDP y');
  });

  it('handles IPv6 references, rport with and without value, received and maddr, and odd spacing', () => {
    expect(parseViaParm('SIP / 2.0 / UDP [::1]:5062 ;branch=z9hG4bKx;rport;received=::1')).toMatchObject({
      host: '[::1]', port: 5062, branch: 'z9hG4bKx', rport: null, received: '::1',
    });
    expect(parseViaParm('SIP/2.0/UDP [2001:db8::1];rport=4000;maddr=224.0.1.75')).toMatchObject({
      host: '[2001:db8::1]', port: undefined, rport: 4000, maddr: '224.0.1.75',
    });
  });

  it('rejects malformed Via values', () => {
    for (const bad of ['', 'SIP/2.0/UDP', 'HTTP/1.1/UDP host', 'SIP/2.0/UDP host:99999', 'SIP/2.0/UDP [::1', 'SIP/2.0/UDP host:abc']) {
      expect(parseViaParm(bad)).toBeUndefined();
    }
  });

  it('reads CSeq and tags', () => {
    expect(parseCSeqValue(' 42  INVITE ')).toEqual({ seq: 42, method: 'INVITE' });
    expect(parseCSeqValue('x INVITE')).toBeUndefined();
    expect(parseCSeqValue('99999999999 INVITE')).toBeUndefined();
    expect(tagOf('"A;tag=no" <sip:a@b;tag=no>;tag=yes')).toBe('yes');
    expect(tagOf('<sip:a@b>')).toBeUndefined();
    expect(tagOf('sip:a@b ; TAG = t1')).toBe('t1');
  });
});
