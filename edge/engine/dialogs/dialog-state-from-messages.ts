// The §12.1 rules for a new dialog's state, read from the dialog-creating
// request and response. Pure: the UA core decides when a dialog is created.
import { SipHeaders, SipRequest, type SipResponse } from '../messages/sip-message.js';
import { ownString } from '../messages/own-copy.js';
import { getTag } from '../messages/headers/name-addr.js';
import { parseNameAddr } from '../messages/headers/name-addr.js';
import { splitHeaderList } from '../messages/headers/header-list.js';
import { parseCSeq } from '../messages/headers/cseq.js';

/** Every element of every occurrence of a list header, in order. */
function headerListElements(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) for (const element of splitHeaderList(value)) if (element !== '') out.push(element);
  return out;
}

/** The URI of the first Contact, or undefined when absent or malformed. */
export function contactUri(message: SipRequest | SipResponse): string | undefined {
  const value = message.headers.get('Contact');
  if (value === undefined) return undefined;
  const first = headerListElements([value])[0];
  return first === undefined ? undefined : parseNameAddr(first)?.uri;
}

export function cseqNumber(message: SipRequest | SipResponse): number | undefined {
  const value = message.headers.get('CSeq');
  return value === undefined ? undefined : parseCSeq(value)?.seq;
}

export interface DialogFields {
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | undefined;
}

/** §12.1.1: UAS side, from the request and the response we send (which carries our tag). */
export function uasDialogFields(request: SipRequest, response: SipResponse): DialogFields | undefined {
  const callId = request.headers.get('Call-ID');
  const from = request.headers.get('From');
  const to = response.headers.get('To');
  if (callId === undefined || from === undefined || to === undefined) return undefined;
  const remoteTag = getTag(from);
  const localTag = getTag(to);
  const remoteTarget = contactUri(request);
  if (remoteTag === undefined || localTag === undefined || remoteTarget === undefined) return undefined;
  return ownFields({
    callId, localTag, remoteTag, localUri: to, remoteUri: from, remoteTarget,
    routeSet: headerListElements(request.headers.getAll('Record-Route')),
    localSeq: 0,
    remoteSeq: cseqNumber(request),
  });
}

/** The headers uacDialogFields (and the dialog's Contact) read from the initial request. */
const UAC_DIALOG_HEADERS = ['Call-ID', 'From', 'To', 'CSeq', 'Contact'] as const;

/**
 * A copy of an initial request with only what later 2xx (retransmissions, other forks)
 * need to build a UAC dialog, in strings of its own: kept for Timer M (32 s) instead of
 * the whole parsed request with its body.
 */
export function uacDialogSeed(request: SipRequest): SipRequest {
  const headers = new SipHeaders();
  for (const name of UAC_DIALOG_HEADERS) {
    const value = request.headers.get(name);
    if (value !== undefined) headers.append(name, ownString(value));
  }
  return new SipRequest(request.method, ownString(request.uri), headers);
}

/** §12.1.2: UAC side, from the request we sent and a response with a To tag. */
export function uacDialogFields(request: SipRequest, response: SipResponse): DialogFields | undefined {
  const callId = request.headers.get('Call-ID');
  const from = request.headers.get('From');
  const to = response.headers.get('To');
  if (callId === undefined || from === undefined || to === undefined) return undefined;
  const localTag = getTag(from);
  const remoteTag = getTag(to);
  // A provisional without Contact still forms an early dialog; the Request-URI stands in until the 2xx.
  const remoteTarget = contactUri(response) ?? request.uri;
  if (localTag === undefined || remoteTag === undefined) return undefined;
  return ownFields({
    callId, localTag, remoteTag, localUri: from, remoteUri: to, remoteTarget,
    routeSet: headerListElements(response.headers.getAll('Record-Route')).reverse(),
    localSeq: cseqNumber(request) ?? 1,
    remoteSeq: undefined,
  });
}

/** A dialog lives for the whole call: its strings must not keep the messages they came from. */
function ownFields(fields: DialogFields): DialogFields {
  return {
    ...fields,
    callId: ownString(fields.callId), localTag: ownString(fields.localTag), remoteTag: ownString(fields.remoteTag),
    localUri: ownString(fields.localUri), remoteUri: ownString(fields.remoteUri), remoteTarget: ownString(fields.remoteTarget),
    routeSet: fields.routeSet.map((route) => ownString(route)),
  };
}
