// Apps send partial SIP messages; the engine completes them the way
// drachtio-server does. These are pure functions of the request being
// answered (or the dialog / local endpoint) and the app's partial message.
import { SipHeaders, SipRequest, SipResponse } from '../messages/sip-message.js';
import { formatNameAddr, getTag, parseNameAddr, withTag } from '../messages/headers/name-addr.js';
import { splitHeaderList } from '../messages/headers/header-list.js';
import { contactFor, hostForSip, viaFor, type LocalEndpoint } from './local-endpoint.js';

/** Headers apps may never set (drachtio-server's immutable headers); the engine writes them. */
const IMMUTABLE = ['via', 'route', 'rseq', 'record-route', 'content-length'];

/** Headers the engine owns in a response; the app's values for them are ignored. */
const RESPONSE_OWNED = new Set([...IMMUTABLE, 'from', 'to', 'call-id', 'cseq']);

/** Headers in which drachtio-server replaces an `@localhost` host with the engine's own address. */
const LOCALHOST_HEADERS = new Set(['from', 'to', 'contact', 'p-asserted-identity']);

/** `sip:user@localhost[:port]` → `sip:user@<our host>:<our port>`, as drachtio-server does for apps. */
export function replaceLocalhost(value: string, local: LocalEndpoint): string {
  if (value.indexOf('@localhost') === -1) return value;
  return value.replace(/@localhost(?::\d+)?/g, `@${hostForSip(local.address)}:${local.port}`);
}

/**
 * A Contact in name-addr form (`<sip:…>;params`): the engine always writes it so, because
 * peers (SIPp's [next_url], some UAs) take the URI only from inside `<…>`, and drachtio-srf
 * hands us a bare addr-spec (`sip:number@localhost`) when an app gives a calling number.
 * A bare addr-spec's `;params` belong to the header (§20.10), so they stay outside `>`.
 */
export function contactInNameAddrForm(value: string): string {
  if (value.indexOf('<') !== -1 || value.trim() === '*') return value;
  return splitHeaderList(value).map((element) => {
    const parsed = parseNameAddr(element);
    return parsed ? formatNameAddr({ uri: parsed.uri, params: parsed.params }) : element;
  }).join(', ');
}

/**
 * A Contact in name-addr form with `@localhost` made reachable: our host:port, plus
 * `;transport=` of the listener when it is not UDP (as drachtio-server does), so the peer's
 * in-dialog requests come back over the same transport rather than to localhost or over UDP.
 */
export function replaceLocalhostInContact(value: string, local: LocalEndpoint): string {
  const bracketed = contactInNameAddrForm(value);
  const replaced = replaceLocalhost(bracketed, local);
  if (replaced === bracketed || local.transport === 'udp') return replaced;
  const hostport = `@${hostForSip(local.address)}:${local.port}`;
  const start = replaced.indexOf(hostport) + hostport.length;
  const close = replaced.indexOf('>', start);
  const uriParams = replaced.slice(start, close === -1 ? replaced.length : close);
  if (/;\s*transport=/i.test(uriParams)) return replaced;
  return replaced.slice(0, start) + `;transport=${local.transport}` + replaced.slice(start);
}

/** The app's header value, with localhost replaced where drachtio-server does it and Contact in name-addr form. */
function appValue(name: string, value: string, local: LocalEndpoint | undefined): string {
  const lower = name.toLowerCase();
  if (lower === 'contact' || lower === 'm') {
    return local === undefined ? contactInNameAddrForm(value) : replaceLocalhostInContact(value, local);
  }
  if (local === undefined) return value;
  return LOCALHOST_HEADERS.has(lower) ? replaceLocalhost(value, local) : value;
}

/** A To tag the app chose for its response (drachtio-srf: headers: {To: 'tag=...'}). */
export function appChosenTag(partial: SipResponse): string | undefined {
  const to = partial.headers.get('To');
  if (to === undefined) return undefined;
  const match = /(?:^|;)\s*tag=([^;>\s,]+)/i.exec(to);
  return match?.[1];
}

/** Standard reason phrases for the statuses apps commonly send without one. */
const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 491: 'Request Pending', 500: 'Server Internal Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Server Time-out',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Progress' : status < 300 ? 'OK' : 'Error');
}

/** drachtio-server infers application/sdp for an SDP body without Content-Type. */
function ensureContentType(headers: SipHeaders, body: Buffer): void {
  if (body.length === 0 || headers.has('Content-Type')) return;
  if (body.subarray(0, 3).toString('latin1') === 'v=0') headers.append('Content-Type', 'application/sdp');
}

export interface ResponseCompletion {
  /** Our To tag; added when the request's To has none (dialog-creating and other final responses). */
  toTag?: string;
  /** Contact to add when the app gave none (INVITE/SUBSCRIBE 1xx and 2xx). */
  contact?: string;
  /** Copy Record-Route from the request (dialog-creating responses, §12.1.1). */
  copyRecordRoute?: boolean;
  /** Where `@localhost` in the app's From/To/Contact/P-Asserted-Identity points. */
  local?: LocalEndpoint;
}

/** §8.2.6.2: a response to `request` with the app's status, reason, headers and body. */
export function completeResponse(request: SipRequest, partial: SipResponse, completion: ResponseCompletion): SipResponse {
  const headers = new SipHeaders();
  for (const via of request.headers.getAll('Via')) headers.append('Via', via);
  if (completion.copyRecordRoute) {
    for (const route of request.headers.getAll('Record-Route')) headers.append('Record-Route', route);
  }
  headers.append('From', request.headers.get('From') ?? '');
  const to = request.headers.get('To') ?? '';
  headers.append('To', completion.toTag !== undefined && getTag(to) === undefined ? withTag(to, completion.toTag) : to);
  headers.append('Call-ID', request.headers.get('Call-ID') ?? '');
  headers.append('CSeq', request.headers.get('CSeq') ?? '');
  for (const field of partial.headers) {
    if (!RESPONSE_OWNED.has(field.name.toLowerCase())) headers.append(field.name, appValue(field.name, field.value, completion.local));
  }
  if (completion.contact !== undefined && !headers.has('Contact')) headers.append('Contact', completion.contact);
  ensureContentType(headers, partial.body);
  const reason = partial.reason === '' ? reasonPhrase(partial.status) : partial.reason;
  return new SipResponse(partial.status, reason, headers, partial.body);
}

export interface NewRequestIds {
  branch: string;
  fromTag: string;
  callId: string;
}

/** Headers placed first, in this order, when the engine completes a request. */
const REQUEST_OWNED = new Set([...IMMUTABLE, 'max-forwards', 'from', 'to', 'call-id', 'cseq']);

/** Methods whose requests carry our Contact (dialog-creating or target-refreshing). */
function methodNeedsContact(method: string): boolean {
  return method === 'INVITE' || method === 'SUBSCRIBE' || method === 'UPDATE' || method === 'REFER' || method === 'NOTIFY';
}

/**
 * A request outside any dialog (drachtio-server's sendRequestOutsideDialog):
 * the app's From (a `localhost` host replaced by ours) or our address, tagged;
 * To defaulting to the Request-URI; the app's Call-ID and CSeq or new ones;
 * Contact for INVITE and SUBSCRIBE.
 */
export function completeNewRequest(partial: SipRequest, local: LocalEndpoint, ids: NewRequestIds): SipRequest {
  const headers = new SipHeaders();
  headers.append('Via', viaFor(local, ids.branch));
  headers.append('Max-Forwards', partial.headers.get('Max-Forwards') ?? '70');
  const from = replaceLocalhost(partial.headers.get('From') ?? `<sip:${hostForSip(local.address)}:${local.port}>`, local);
  headers.append('From', getTag(from) === undefined ? withTag(from, ids.fromTag) : from);
  headers.append('To', replaceLocalhost(partial.headers.get('To') ?? `<${partial.uri}>`, local));
  headers.append('Call-ID', partial.headers.get('Call-ID') ?? ids.callId);
  headers.append('CSeq', partial.headers.get('CSeq') ?? `1 ${partial.method}`);
  for (const field of partial.headers) {
    if (!REQUEST_OWNED.has(field.name.toLowerCase())) headers.append(field.name, appValue(field.name, field.value, local));
  }
  if ((partial.method === 'INVITE' || partial.method === 'SUBSCRIBE') && !headers.has('Contact')) {
    headers.append('Contact', contactFor(local));
  }
  ensureContentType(headers, partial.body);
  return new SipRequest(partial.method, partial.uri, headers, partial.body);
}

export interface InDialogFields {
  requestUri: string;
  routeSet: readonly string[];
  localUri: string;
  remoteUri: string;
  callId: string;
  cseq: number;
  contact: string;
  branch: string;
}

/** §12.2.1.1: a request inside a dialog, from dialog state plus the app's headers and body. */
export function completeInDialogRequest(partial: SipRequest, local: LocalEndpoint, fields: InDialogFields): SipRequest {
  const headers = new SipHeaders();
  headers.append('Via', viaFor(local, fields.branch));
  headers.append('Max-Forwards', partial.headers.get('Max-Forwards') ?? '70');
  for (const route of fields.routeSet) headers.append('Route', route);
  headers.append('From', fields.localUri);
  headers.append('To', fields.remoteUri);
  headers.append('Call-ID', fields.callId);
  headers.append('CSeq', `${fields.cseq} ${partial.method}`);
  for (const field of partial.headers) {
    if (!REQUEST_OWNED.has(field.name.toLowerCase())) headers.append(field.name, appValue(field.name, field.value, local));
  }
  if (methodNeedsContact(partial.method) && !headers.has('Contact')) headers.append('Contact', fields.contact);
  ensureContentType(headers, partial.body);
  return new SipRequest(partial.method, fields.requestUri, headers, partial.body);
}
