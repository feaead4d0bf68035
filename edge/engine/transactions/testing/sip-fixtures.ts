// Small builders of SIP messages for the transaction tests.

import { SipHeaders, SipRequest, SipResponse } from '../../messages/sip-message.js';

export interface RequestFixture {
  method: string;
  branch: string;
  transport?: string;
  sentBy?: string;
  cseq?: number;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  uri?: string;
  extraVia?: string;
  routes?: string[];
  rport?: boolean;
}

export function request(fixture: RequestFixture): SipRequest {
  const headers = new SipHeaders();
  const transport = (fixture.transport ?? 'udp').toUpperCase();
  const rport = fixture.rport ? ';rport' : '';
  headers.append('Via', `SIP/2.0/${transport} ${fixture.sentBy ?? '127.0.0.1:5070'};branch=${fixture.branch}${rport}`);
  if (fixture.extraVia) headers.append('Via', fixture.extraVia);
  headers.append('Max-Forwards', '70');
  for (const route of fixture.routes ?? []) headers.append('Route', route);
  headers.append('From', `<sip:alice@127.0.0.1>;tag=${fixture.fromTag ?? 'from1'}`);
  headers.append('To', `<sip:bob@127.0.0.1>${fixture.toTag ? `;tag=${fixture.toTag}` : ''}`);
  // One Call-ID per branch by default: distinct requests are distinct calls (not merged copies, §8.2.2.2).
  headers.append('Call-ID', fixture.callId ?? `call-${fixture.branch}@127.0.0.1`);
  headers.append('CSeq', `${fixture.cseq ?? 1} ${fixture.method}`);
  headers.append('Content-Length', '0');
  return new SipRequest(fixture.method, fixture.uri ?? 'sip:bob@127.0.0.1:5060', headers);
}

/** A response to `req` as the far end would send it (Via, From, To + tag, Call-ID, CSeq copied). */
export function responseFor(req: SipRequest, status: number, toTag = 'to1'): SipResponse {
  const headers = new SipHeaders();
  for (const via of req.headers.getAll('Via')) headers.append('Via', via);
  headers.append('From', req.headers.get('From') ?? '');
  const to = req.headers.get('To') ?? '';
  headers.append('To', status > 100 && !to.includes('tag=') ? `${to};tag=${toTag}` : to);
  headers.append('Call-ID', req.headers.get('Call-ID') ?? '');
  headers.append('CSeq', req.headers.get('CSeq') ?? '');
  headers.append('Content-Length', '0');
  return new SipResponse(status, status === 200 ? 'OK' : 'Reason', headers);
}
