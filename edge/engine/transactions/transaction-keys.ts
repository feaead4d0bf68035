// Transaction matching keys (RFC 3261 §17.1.3 for responses, §17.2.3 for
// requests). Keys are plain strings so each lookup is one Map.get.

import type { SipRequest } from '../messages/sip-message.js';
import { MAGIC_COOKIE, tagOf, type CSeqField, type TopVia } from './header-fields.js';

const SEP = '\u0000';

/** True when the branch carries the RFC 3261 magic cookie (otherwise RFC 2543 matching applies). */
export function hasMagicCookie(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(MAGIC_COOKIE);
}

/** §17.1.3: a response matches the client transaction with its top Via branch and CSeq method. */
export function clientKey(branch: string, method: string): string {
  return `${branch}${SEP}${method}`;
}

/**
 * §17.2.3 with the magic cookie: branch, sent-by and method, where ACK files under
 * INVITE (it matches the INVITE transaction it acknowledges).
 */
export function serverKey(branch: string, via: TopVia, method: string): string {
  const keyMethod = method === 'ACK' ? 'INVITE' : method;
  return `${branch}${SEP}${via.host}:${via.port ?? ''}${SEP}${keyMethod}`;
}

/**
 * §17.2.3 without the cookie (RFC 2543 peers): Request-URI, To tag, From tag,
 * Call-ID, CSeq and top Via of the request.
 */
export function legacyRequestKey(request: SipRequest, via: TopVia, cseq: CSeqField): string {
  const headers = request.headers;
  return [
    'legacy',
    request.uri,
    tagOf(headers.get('To')) ?? '',
    tagOf(headers.get('From')) ?? '',
    headers.get('Call-ID') ?? '',
    `${cseq.seq} ${cseq.method}`,
    via.raw,
  ].join(SEP);
}

/**
 * The RFC 2543 key under which an INVITE server transaction is found by its ACK
 * or CANCEL: everything but the To tag and the CSeq method. The caller then
 * compares the To tag (the response's for ACK, the INVITE's for CANCEL).
 */
export function legacyInviteKey(request: SipRequest, via: TopVia, cseq: CSeqField): string {
  const headers = request.headers;
  return [
    'legacy-invite',
    request.uri,
    tagOf(headers.get('From')) ?? '',
    headers.get('Call-ID') ?? '',
    String(cseq.seq),
    via.raw,
  ].join(SEP);
}

/**
 * RFC 3261 §8.2.2.2: the key under which a request outside a dialog (no To tag) is
 * checked for merging: From tag, Call-ID and CSeq. Undefined when the request is in
 * a dialog, has no From tag (RFC 2543), or is a CANCEL (which shares its INVITE's key).
 */
export function mergeKey(request: SipRequest, cseq: CSeqField): string | undefined {
  if (request.method === 'CANCEL') return undefined;
  const headers = request.headers;
  if (tagOf(headers.get('To')) !== undefined) return undefined;
  const fromTag = tagOf(headers.get('From'));
  if (fromTag === undefined) return undefined;
  return `${fromTag}${SEP}${headers.get('Call-ID') ?? ''}${SEP}${cseq.seq} ${cseq.method}`;
}
