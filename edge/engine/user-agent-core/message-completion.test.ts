import { describe, expect, it } from 'vitest';
import { SipHeaders, SipRequest, SipResponse } from '../messages/sip-message.js';
import { appChosenTag, completeInDialogRequest, completeNewRequest, completeResponse, reasonPhrase, replaceLocalhost, replaceLocalhostInContact, contactInNameAddrForm } from './message-completion.js';
import type { LocalEndpoint } from './local-endpoint.js';

const local: LocalEndpoint = { transport: 'udp', address: '127.0.0.1', port: 5060 };

function invite(): SipRequest {
  return new SipRequest('INVITE', 'sip:bob@127.0.0.1', new SipHeaders([
    { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK1' },
    { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.3:5080;branch=z9hG4bK0' },
    { name: 'Record-Route', value: '<sip:127.0.0.2;lr>' },
    { name: 'From', value: '<sip:alice@127.0.0.2>;tag=a1' },
    { name: 'To', value: '<sip:bob@127.0.0.1>' },
    { name: 'Call-ID', value: 'c1' },
    { name: 'CSeq', value: '7 INVITE' },
    { name: 'Contact', value: '<sip:alice@127.0.0.2:5070>' },
  ]));
}

describe('completing app responses', () => {
  it('copies Via, From, Call-ID, CSeq; tags To; adds Contact and Record-Route for dialog-creating responses', () => {
    const partial = new SipResponse(200, 'OK', new SipHeaders([
      { name: 'Via', value: 'bogus' }, { name: 'X-App', value: '1' }, { name: 'Content-Length', value: '99' },
    ]), Buffer.from('v=0\r\n'));
    const response = completeResponse(invite(), partial, { toTag: 't9', contact: '<sip:127.0.0.1:5060>', copyRecordRoute: true });
    expect(response.headers.getAll('Via')).toEqual(['SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK1', 'SIP/2.0/UDP 127.0.0.3:5080;branch=z9hG4bK0']);
    expect(response.headers.get('To')).toBe('<sip:bob@127.0.0.1>;tag=t9');
    expect(response.headers.get('Record-Route')).toBe('<sip:127.0.0.2;lr>');
    expect(response.headers.get('Contact')).toBe('<sip:127.0.0.1:5060>');
    expect(response.headers.get('X-App')).toBe('1');
    expect(response.headers.get('Content-Length')).toBeUndefined();
    expect(response.headers.get('Content-Type')).toBe('application/sdp');
    expect(response.headers.get('CSeq')).toBe('7 INVITE');
  });

  it("keeps the app's Contact and fills in a missing reason phrase", () => {
    const partial = new SipResponse(486, '', new SipHeaders([{ name: 'Contact', value: '<sip:app@127.0.0.9>' }]));
    const response = completeResponse(invite(), partial, { toTag: 't', contact: '<sip:127.0.0.1:5060>' });
    expect(response.reason).toBe('Busy Here');
    expect(response.headers.get('Contact')).toBe('<sip:app@127.0.0.9>');
    expect(response.headers.has('Record-Route')).toBe(false);
    expect(reasonPhrase(299)).toBe('OK');
  });
});

describe('completing app requests', () => {
  it('builds a new request: Via with branch, tagged From with localhost replaced, To from the Request-URI, Contact', () => {
    const partial = new SipRequest('INVITE', 'sip:bob@127.0.0.5:5090', new SipHeaders([
      { name: 'From', value: '<sip:15550001111@localhost>' }, { name: 'X-App', value: 'y' },
    ]), Buffer.from('v=0\r\n'));
    const request = completeNewRequest(partial, local, { branch: 'z9hG4bKabc', fromTag: 'f1', callId: 'call-9' });
    expect(request.headers.get('Via')).toBe('SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bKabc');
    expect(request.headers.get('From')).toBe('<sip:15550001111@127.0.0.1:5060>;tag=f1');
    expect(request.headers.get('To')).toBe('<sip:bob@127.0.0.5:5090>');
    expect(request.headers.get('Call-ID')).toBe('call-9');
    expect(request.headers.get('CSeq')).toBe('1 INVITE');
    expect(request.headers.get('Max-Forwards')).toBe('70');
    expect(request.headers.get('Contact')).toBe('<sip:127.0.0.1:5060>');
    expect(request.headers.get('Content-Type')).toBe('application/sdp');
  });

  it("keeps the app's Call-ID, CSeq and From tag, and adds no Contact to OPTIONS", () => {
    const partial = new SipRequest('OPTIONS', 'sip:127.0.0.5', new SipHeaders([
      { name: 'Call-ID', value: 'mine' }, { name: 'CSeq', value: '5 OPTIONS' }, { name: 'From', value: '<sip:a@b>;tag=keep' },
    ]));
    const request = completeNewRequest(partial, { transport: 'tcp', address: '::1', port: 5060 }, { branch: 'z9hG4bKx', fromTag: 'new', callId: 'other' });
    expect(request.headers.get('Call-ID')).toBe('mine');
    expect(request.headers.get('CSeq')).toBe('5 OPTIONS');
    expect(request.headers.get('From')).toBe('<sip:a@b>;tag=keep');
    expect(request.headers.get('Via')).toBe('SIP/2.0/TCP [::1]:5060;rport;branch=z9hG4bKx');
    expect(request.headers.has('Contact')).toBe(false);
  });

  it('builds an in-dialog request from dialog state, ignoring the app Route and placeholder URI', () => {
    const partial = new SipRequest('BYE', 'sip:placeholder', new SipHeaders([{ name: 'Route', value: '<sip:evil>' }, { name: 'Reason', value: 'Q.850;cause=16' }]));
    const request = completeInDialogRequest(partial, local, {
      requestUri: 'sip:alice@127.0.0.2:5070', routeSet: ['<sip:127.0.0.2;lr>'], localUri: '<sip:bob@127.0.0.1>;tag=t9',
      remoteUri: '<sip:alice@127.0.0.2>;tag=a1', callId: 'c1', cseq: 3, contact: '<sip:127.0.0.1:5060>', branch: 'z9hG4bKq',
    });
    expect(request.uri).toBe('sip:alice@127.0.0.2:5070');
    expect(request.headers.getAll('Route')).toEqual(['<sip:127.0.0.2;lr>']);
    expect(request.headers.get('From')).toBe('<sip:bob@127.0.0.1>;tag=t9');
    expect(request.headers.get('To')).toBe('<sip:alice@127.0.0.2>;tag=a1');
    expect(request.headers.get('CSeq')).toBe('3 BYE');
    expect(request.headers.get('Reason')).toBe('Q.850;cause=16');
    expect(request.headers.has('Contact')).toBe(false);
  });
});

describe('drachtio-server conventions for app headers', () => {
  it('replaces @localhost with our address in From, To, Contact and P-Asserted-Identity only', () => {
    expect(replaceLocalhost('<sip:foo@localhost>', local)).toBe('<sip:foo@127.0.0.1:5060>');
    expect(replaceLocalhost('sip:foo@localhost:5999;transport=tcp', local)).toBe('sip:foo@127.0.0.1:5060;transport=tcp');
    const partial = new SipResponse(200, 'OK', new SipHeaders([
      { name: 'Contact', value: 'sip:foo@localhost' }, { name: 'X-Note', value: 'sip:foo@localhost' },
      { name: 'RSeq', value: '9' }, { name: 'Route', value: '<sip:x>' },
    ]));
    const response = completeResponse(invite(), partial, { toTag: 't', local });
    expect(response.headers.get('Contact')).toBe('<sip:foo@127.0.0.1:5060>');
    expect(response.headers.get('X-Note')).toBe('sip:foo@localhost');
    expect(response.headers.has('RSeq')).toBe(false);
    expect(response.headers.has('Route')).toBe(false);
  });

  it("adds the listener's transport to a localhost Contact when it is not UDP (the callee's BYE must find us)", () => {
    const tcp = { transport: 'tcp' as const, address: '127.0.0.1', port: 5070 };
    const tls = { transport: 'tls' as const, address: '203.0.113.7', port: 5061 };
    expect(replaceLocalhostInContact('sip:+15550001111@localhost', local)).toBe('<sip:+15550001111@127.0.0.1:5060>');
    expect(replaceLocalhostInContact('sip:+15550001111@localhost', tcp)).toBe('<sip:+15550001111@127.0.0.1:5070;transport=tcp>');
    expect(replaceLocalhostInContact('<sip:a@localhost:5999>;expires=60', tls)).toBe('<sip:a@203.0.113.7:5061;transport=tls>;expires=60');
    expect(replaceLocalhostInContact('<sip:a@localhost;transport=tcp>', tls)).toBe('<sip:a@203.0.113.7:5061;transport=tcp>');
    expect(replaceLocalhostInContact('<sip:a@127.0.0.9>', tcp)).toBe('<sip:a@127.0.0.9>');
    const partial = new SipRequest('INVITE', 'sip:bob@127.0.0.5:5090', new SipHeaders([
      { name: 'Contact', value: 'sip:+15550001111@localhost' },
    ]));
    const request = completeNewRequest(partial, tcp, { branch: 'z9hG4bKc', fromTag: 'f', callId: 'c' });
    expect(request.headers.getAll('Contact')).toEqual(['<sip:+15550001111@127.0.0.1:5070;transport=tcp>']);
  });

  it('writes an app\'s Contact in name-addr form, header parameters outside the brackets (issue 7)', () => {
    expect(contactInNameAddrForm('sip:sipp@127.0.0.1:5061')).toBe('<sip:sipp@127.0.0.1:5061>');
    expect(contactInNameAddrForm('sip:a@h;expires=60')).toBe('<sip:a@h>;expires=60');
    expect(contactInNameAddrForm('sip:a@h, sip:b@h;q=0.5')).toBe('<sip:a@h>, <sip:b@h>;q=0.5');
    expect(contactInNameAddrForm('"A" <sip:a@h;lr>;expires=1')).toBe('"A" <sip:a@h;lr>;expires=1');
    expect(contactInNameAddrForm('*')).toBe('*');
    const response = completeResponse(invite(), new SipResponse(200, 'OK', new SipHeaders([
      { name: 'Contact', value: 'sip:sipp@127.0.0.9:5090' },
    ])), { toTag: 't' });
    expect(response.headers.get('Contact')).toBe('<sip:sipp@127.0.0.9:5090>');
  });

  it('reads the To tag an app chose for its response', () => {
    expect(appChosenTag(new SipResponse(200, 'OK', new SipHeaders([{ name: 'To', value: 'tag=abc123' }])))).toBe('abc123');
    expect(appChosenTag(new SipResponse(200, 'OK', new SipHeaders([{ name: 'To', value: '<sip:b@h>;tag=x1;foo' }])))).toBe('x1');
    expect(appChosenTag(new SipResponse(200, 'OK'))).toBeUndefined();
  });
});
