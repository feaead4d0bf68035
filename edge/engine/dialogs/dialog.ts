// A SIP dialog (RFC 3261 §12): the peer-to-peer state shared by the requests of
// one call leg. The engine keeps it on behalf of the drachtio app that owns the
// leg; the app names it by the drachtio dialog id.
import type { Destination } from '../transactions/transaction-transport.js';

export enum DialogState {
  Early = 'early',
  Confirmed = 'confirmed',
  Terminated = 'terminated',
}

export type DialogRole = 'uac' | 'uas';

/**
 * drachtio-server names a dialog `<Call-ID>;from-tag=<tag of the From header of
 * the dialog-creating request>`: the remote tag for UAS dialogs, the local one
 * for UAC dialogs. drachtio-srf's findDialogByCallIDAndFromTag relies on it.
 */
export function drachtioDialogId(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`;
}

/** The §12 dialog identifier, as a map key. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}

export interface DialogInit<Owner> {
  role: DialogRole;
  state: DialogState;
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our From (UAC) or To (UAS) header value, with our tag: the From of requests we send. */
  localUri: string;
  /** The peer's header value, with its tag: the To of requests we send. */
  remoteUri: string;
  localSeq: number;
  remoteSeq: number | undefined;
  remoteTarget: string;
  routeSet: string[];
  /** Our Contact header value for this dialog. */
  localContact: string;
  /** The connection and transport the dialog was set up over (reused for requests when open). */
  flow: Destination;
  owner: Owner;
  /** What created the dialog: an INVITE (a session) or a SUBSCRIBE (a subscription, RFC 6665). */
  usage?: DialogUsage;
}

export type DialogUsage = 'invite' | 'subscribe';

export class Dialog<Owner = unknown> {
  readonly role: DialogRole;
  state: DialogState;
  readonly id: string;
  readonly key: string;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  localSeq: number;
  remoteSeq: number | undefined;
  remoteTarget: string;
  routeSet: string[];
  localContact: string;
  flow: Destination;
  owner: Owner;
  readonly usage: DialogUsage;

  /** CSeq number of the INVITE that created or last modified the session (for ACK and PRACK). */
  inviteSeq = 0;
  /** Our re-INVITE awaiting its final response (glare: an incoming one gets 491). */
  outgoingInvitePending = false;
  /** An incoming re-INVITE not yet answered finally (a second one gets 500, §14.2). */
  incomingInvitePending = false;
  /** Highest RSeq received on this (early) dialog, for RAck (RFC 3262). */
  lastRSeqReceived: number | undefined;
  /** Next RSeq we use for reliable provisionals we send. */
  nextRSeq = 1;

  constructor(init: DialogInit<Owner>) {
    this.role = init.role;
    this.state = init.state;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localContact = init.localContact;
    this.flow = init.flow;
    this.owner = init.owner;
    this.usage = init.usage ?? 'invite';
    this.id = drachtioDialogId(init.callId, init.role === 'uac' ? init.localTag : init.remoteTag);
    this.key = dialogKey(init.callId, init.localTag, init.remoteTag);
  }

  /** §12.2.1.1: the next CSeq number for a request we send (not ACK or CANCEL). */
  nextLocalSeq(): number {
    this.localSeq += 1;
    return this.localSeq;
  }

  /**
   * §12.2.2: a request whose CSeq is lower than or equal to the last one seen is
   * out of order (answered 500). Returns false for those; records the number otherwise.
   */
  acceptRemoteSeq(seq: number): boolean {
    if (this.remoteSeq !== undefined && seq <= this.remoteSeq) return false;
    this.remoteSeq = seq;
    return true;
  }
}
