// Responses and ACKs that the transaction layer builds itself: 100 Trying
// (§17.2.1), 200 to a matched CANCEL and 487 to the cancelled INVITE (§9.2),
// and the hop-by-hop ACK for a non-2xx final response (§17.1.1.3).

import { SipHeaders, SipRequest, SipResponse } from '../messages/sip-message.js';
import { splitFirstVia, tagOf } from './header-fields.js';

/**
 * A response built from a request per §8.2.6.2: Via, From, Call-ID and CSeq
 * copied, To copied with `toTag` added when the request's To has none.
 * Timestamp is copied into a 100 (§8.2.6.1).
 */
export function responseTo(request: SipRequest, status: number, reason: string, toTag?: string): SipResponse {
  const headers = new SipHeaders();
  for (const via of request.headers.getAll('Via')) headers.append('Via', via);
  const from = request.headers.get('From');
  if (from !== undefined) headers.append('From', from);
  const to = request.headers.get('To');
  if (to !== undefined) {
    headers.append('To', toTag !== undefined && tagOf(to) === undefined ? `${to};tag=${toTag}` : to);
  }
  const callId = request.headers.get('Call-ID');
  if (callId !== undefined) headers.append('Call-ID', callId);
  const cseq = request.headers.get('CSeq');
  if (cseq !== undefined) headers.append('CSeq', cseq);
  if (status === 100) {
    const timestamp = request.headers.get('Timestamp');
    if (timestamp !== undefined) headers.append('Timestamp', timestamp);
  }
  headers.append('Content-Length', '0');
  return new SipResponse(status, reason, headers);
}

/**
 * The ACK for a non-2xx final response to `invite` (§17.1.1.3): same Request-URI,
 * Call-ID, From and top Via as the INVITE, To from the response, CSeq number with
 * method ACK, and the INVITE's Route headers.
 */
export function ackForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.get('Via');
  if (topVia !== undefined) headers.append('Via', firstViaParm(topVia));
  const maxForwards = invite.headers.get('Max-Forwards');
  headers.append('Max-Forwards', maxForwards ?? '70');
  for (const route of invite.headers.getAll('Route')) headers.append('Route', route);
  const from = invite.headers.get('From');
  if (from !== undefined) headers.append('From', from);
  const to = response.headers.get('To') ?? invite.headers.get('To');
  if (to !== undefined) headers.append('To', to);
  const callId = invite.headers.get('Call-ID');
  if (callId !== undefined) headers.append('Call-ID', callId);
  const seq = /^\s*(\d+)/.exec(invite.headers.get('CSeq') ?? '')?.[1] ?? '0';
  headers.append('CSeq', `${seq} ACK`);
  headers.append('Content-Length', '0');
  return new SipRequest('ACK', invite.uri, headers);
}

/** The CANCEL for a pending INVITE (§9.1): same Request-URI, Call-ID, To, From, CSeq number, top Via and Route. */
export function cancelFor(invite: SipRequest, extraHeaders: Iterable<[string, string]> = []): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.get('Via');
  if (topVia !== undefined) headers.append('Via', firstViaParm(topVia));
  headers.append('Max-Forwards', invite.headers.get('Max-Forwards') ?? '70');
  for (const route of invite.headers.getAll('Route')) headers.append('Route', route);
  for (const name of ['From', 'To', 'Call-ID']) {
    const value = invite.headers.get(name);
    if (value !== undefined) headers.append(name, value);
  }
  const seq = /^\s*(\d+)/.exec(invite.headers.get('CSeq') ?? '')?.[1] ?? '0';
  headers.append('CSeq', `${seq} CANCEL`);
  for (const [name, value] of extraHeaders) headers.append(name, value);
  headers.append('Content-Length', '0');
  return new SipRequest('CANCEL', invite.uri, headers);
}

/** Only the top via-parm, in case the first Via line joins several with commas. */
function firstViaParm(line: string): string {
  return splitFirstVia(line).first;
}
