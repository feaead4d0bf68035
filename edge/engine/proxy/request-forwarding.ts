// Building the request a proxy sends for one target (RFC 3261 §16.6): copy, new
// Request-URI, Max-Forwards, our Route entries removed, app headers; then, per
// attempt, Record-Route and our Via with a fresh branch.

import type { HeaderField } from '../messages/sip-message.js';
import { SipRequest } from '../messages/sip-message.js';
import { recordRouteValue, uriHost, type ProxyLocalAddress } from './local-address.js';
import { removeOwnRoutes } from './route-handling.js';

const DEFAULT_MAX_FORWARDS = 70;

/** Headers an app may not override on a forwarded request: they belong to the transaction or routing. */
const PROTECTED_HEADERS = new Set([
  'via', 'call-id', 'cseq', 'from', 'to', 'content-length', 'max-forwards', 'route', 'record-route',
]);

export type ForwardingResult =
  | { request: SipRequest }
  | { reject: { status: number; reason: string } };

function cloneRequest(request: SipRequest): SipRequest {
  return new SipRequest(request.method, request.uri, request.headers.clone(), request.body, request.version);
}

/** §16.6 steps 1–5 (without Record-Route, added per attempt by stampAttempt). */
export function prepareForwarding(
  original: SipRequest,
  target: string | undefined,
  locals: readonly ProxyLocalAddress[],
  extraHeaders: readonly HeaderField[] = [],
): ForwardingResult {
  const maxForwards = original.headers.get('Max-Forwards');
  let remaining = DEFAULT_MAX_FORWARDS;
  if (maxForwards !== undefined) {
    const text = maxForwards.trim();
    if (!/^\d{1,3}$/.test(text)) return { reject: { status: 400, reason: 'Invalid Max-Forwards' } };
    const hops = Number(text);
    if (hops === 0) return { reject: { status: 483, reason: 'Too Many Hops' } };
    remaining = Math.min(hops, 255) - 1;
  }
  const request = cloneRequest(original);
  removeOwnRoutes(request, locals);
  if (target !== undefined) request.uri = target;
  request.headers.set('Max-Forwards', String(remaining));
  for (const header of extraHeaders) {
    if (PROTECTED_HEADERS.has(header.name.toLowerCase())) continue;
    request.headers.set(header.name, header.value);
  }
  return { request };
}

export interface AttemptStamp {
  /** The listener the request leaves from (Via sent-by, outbound Record-Route). */
  outbound: ProxyLocalAddress;
  branch: string;
  /** Record-Route entries to add; with inbound set and different, two (RFC 5658 double record-route). */
  recordRoute: boolean;
  inbound?: ProxyLocalAddress;
}

function sameListener(a: ProxyLocalAddress, b: ProxyLocalAddress): boolean {
  return a.transport === b.transport && a.host === b.host && a.port === b.port;
}

/** §16.6 steps 4 and 8 for one send: Record-Route (optional) and our Via on top. */
export function stampAttempt(prepared: SipRequest, stamp: AttemptStamp): SipRequest {
  const request = cloneRequest(prepared);
  if (stamp.recordRoute) {
    // The UAS reads Record-Route top-down and the UAC bottom-up, so the entry facing
    // the callee goes on top and the one facing the caller under it.
    if (stamp.inbound && !sameListener(stamp.inbound, stamp.outbound)) {
      request.headers.prepend('Record-Route', recordRouteValue(stamp.inbound));
    }
    request.headers.prepend('Record-Route', recordRouteValue(stamp.outbound));
  }
  const { outbound } = stamp;
  request.headers.prepend(
    'Via',
    `SIP/2.0/${outbound.transport.toUpperCase()} ${uriHost(outbound.host)}:${outbound.port};branch=${stamp.branch};rport`,
  );
  return request;
}
