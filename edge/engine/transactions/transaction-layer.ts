// The RFC 3261 §17 transaction layer: matches every received message to a
// transaction (§17.1.3, §17.2.3), creates server transactions for new requests
// and hands them to the TU, starts client transactions for the TU, and answers
// CANCELs that match an INVITE (§9.2). See README.md for the boundaries.

import { pino, type Logger } from 'pino';
import type { SipMessage, SipRequest, SipResponse } from '../messages/sip-message.js';
import { systemClock, type Clock, type TimerHandle } from '../timers/clock.js';
import { resolveTimerValues, type TimerValues } from '../timers/timer-values.js';
import { newBranch, newTag } from './branch.js';
import { parseCSeqValue, tagOf, topVia, type CSeqField, type TopVia } from './header-fields.js';
import { InviteClientTransaction, InviteClientTransactionState } from './invite-client-transaction.js';
import { InviteServerTransaction, InviteServerTransactionState } from './invite-server-transaction.js';
import { cancelFor, responseTo } from './local-responses.js';
import { ownString } from '../messages/own-copy.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction, NonInviteServerTransactionState } from './non-invite-server-transaction.js';
import { responseDestination, stampReceived } from './response-routing.js';
import { TransactionKind, type ClientTransactionListener, type Transaction, type TransactionHost } from './transaction.js';
import {
  clientKey,
  hasMagicCookie,
  legacyInviteKey,
  legacyRequestKey,
  mergeKey,
  serverKey,
} from './transaction-keys.js';
import { splitHeaderList } from '../messages/headers/header-list.js';
import type { Destination, MessageOrigin, TransactionTransport } from './transaction-transport.js';
import type { ServerTransaction, TransactionUser } from './transaction-user.js';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;

export interface TransactionLayerOptions {
  transport: TransactionTransport;
  user: TransactionUser;
  clock?: Clock;
  /** Overrides of T1/T2/T4 or of single timers (RFC 3261 Table 4, RFC 6026). */
  timers?: Partial<TimerValues>;
  /**
   * When the INVITE server transaction sends 100 Trying on its own: 0 (default)
   * at once, N > 0 after N ms unless the TU has responded, negative never.
   */
  tryingDelay?: number;
  logger?: Logger;
  /**
   * Asked before a new request outside a dialog gets a transaction (retransmissions and
   * requests in a dialog are not asked): a number refuses it with a stateless 503 carrying
   * that Retry-After (overload ceilings).
   */
  refuseNewRequest?(request: SipRequest): number | undefined;
}

/** What layer.cancel() did: sent the CANCEL, will send it at the first provisional, or nothing. */
export type CancelOutcome = 'sent' | 'pending' | 'too-late';

/** Counters for metrics; monotonic except where noted. */
export interface TransactionLayerStats {
  /** Retransmitted requests absorbed by a server transaction. */
  requestRetransmissions: number;
  /** Responses that matched no client transaction. */
  strayResponses: number;
  /** ACKs that matched no INVITE server transaction (or one in Accepted): 2xx ACKs. */
  acksToTu: number;
  /** Messages dropped because the top Via or CSeq could not be read. */
  malformed: number;
  /** Non-INVITE requests the TU never answered, ended by the sweep after 64*T1. */
  abandonedRequests: number;
  /** Merged requests (§8.2.2.2: a second copy of a forked request) answered 482. */
  mergedRequests: number;
}

export class TransactionLayer {
  readonly timers: TimerValues;
  readonly stats: TransactionLayerStats = {
    requestRetransmissions: 0,
    strayResponses: 0,
    acksToTu: 0,
    malformed: 0,
    abandonedRequests: 0,
    mergedRequests: 0,
  };

  private readonly transport: TransactionTransport;
  private readonly user: TransactionUser;
  private readonly logger: Logger;
  private readonly tryingDelay: number;
  private readonly refuseNewRequest: TransactionLayerOptions['refuseNewRequest'];
  private readonly host: TransactionHost;
  private readonly clock: Clock;
  /** One timer for the whole layer, armed while non-INVITE server transactions exist. */
  private sweepTimer: TimerHandle | undefined;
  private readonly clientTransactions = new Map<string, ClientTransaction>();
  private readonly serverTransactions = new Map<string, ServerTransaction>();
  /** Server transactions of requests outside a dialog by From tag, Call-ID and CSeq (§8.2.2.2). */
  private readonly byMergeKey = new Map<string, { transaction: ServerTransaction; vias: number }>();
  /** INVITE server transactions without the magic cookie, for their ACK and CANCEL. */
  private readonly legacyInvites = new Map<string, InviteServerTransaction>();
  private readonly counts: Record<TransactionKind, number> = {
    [TransactionKind.InviteClient]: 0,
    [TransactionKind.NonInviteClient]: 0,
    [TransactionKind.InviteServer]: 0,
    [TransactionKind.NonInviteServer]: 0,
  };
  private readonly reports = {
    serverTimedOut: (transaction: Transaction): void => {
      this.user.onTransactionTimeout(transaction as ServerTransaction);
    },
    serverTransportError: (transaction: Transaction, error: Error): void => {
      this.user.onTransportError(transaction as ServerTransaction, error);
    },
  };

  constructor(options: TransactionLayerOptions) {
    this.transport = options.transport;
    this.user = options.user;
    this.timers = resolveTimerValues(options.timers);
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.tryingDelay = options.tryingDelay ?? 0;
    this.refuseNewRequest = options.refuseNewRequest;
    this.clock = options.clock ?? systemClock;
    this.host = {
      clock: this.clock,
      timers: this.timers,
      transport: this.transport,
      transactionTerminated: (transaction) => this.forget(transaction),
    };
  }

  /** Live transactions by kind (gauge data for metrics). */
  get activeTransactions(): Readonly<Record<TransactionKind, number>> {
    return this.counts;
  }

  /** A fresh Via branch with the magic cookie, for the TU's requests. */
  newBranch(): string {
    return newBranch();
  }

  /** Entry point for every message the transports parse. Never throws. */
  receive(message: SipMessage, origin: MessageOrigin): void {
    try {
      if (message.kind === 'request') this.receiveRequest(message, origin);
      else this.receiveResponse(message, origin);
    } catch (error) {
      this.logger.error({ err: error, transport: origin.transport }, 'error while handling a received SIP message');
    }
  }

  /**
   * Start a client transaction. The request must carry a top Via whose branch has
   * the magic cookie (use newBranch()); ACK is not a transaction (use sendStateless).
   */
  sendRequest(request: SipRequest, destination: Destination, listener: ClientTransactionListener): ClientTransaction {
    if (request.method === 'ACK') throw new Error('ACK is not sent in a client transaction: use sendStateless()');
    const via = topVia(request.headers);
    if (!hasMagicCookie(via?.branch)) {
      throw new Error('request needs a top Via with a z9hG4bK branch (TransactionLayer.newBranch())');
    }
    const lookupKey = clientKey(via.branch, request.method);
    if (this.clientTransactions.has(lookupKey)) throw new Error(`Via branch ${via.branch} is already in use for ${request.method}`);
    const key = ownString(lookupKey);
    const reliable = this.transport.isReliable(destination.transport);
    const transaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(this.host, key, request, destination, reliable, listener)
        : new NonInviteClientTransaction(this.host, key, request, destination, reliable, listener);
    transaction.key = key;
    this.clientTransactions.set(key, transaction);
    this.counts[transaction.kind]++;
    transaction.start();
    return transaction;
  }

  /**
   * CANCEL a pending INVITE client transaction (§9.1). Before any provisional the
   * CANCEL waits for one; after a final response it is not sent. Idempotent: a
   * second call sends nothing more.
   */
  cancel(
    invite: InviteClientTransaction,
    listener: ClientTransactionListener,
    extraHeaders: Iterable<[string, string]> = [],
  ): CancelOutcome {
    if (invite.cancelRequested) {
      if (invite.state === InviteClientTransactionState.Calling) return 'pending';
      return invite.state === InviteClientTransactionState.Proceeding ? 'sent' : 'too-late';
    }
    switch (invite.state) {
      case InviteClientTransactionState.Calling:
        invite.cancelRequested = true;
        invite.onFirstProvisional = () => {
          this.sendRequest(cancelFor(invite.request, extraHeaders), invite.destination, listener);
        };
        return 'pending';
      case InviteClientTransactionState.Proceeding:
        invite.cancelRequested = true;
        this.sendRequest(cancelFor(invite.request, extraHeaders), invite.destination, listener);
        return 'sent';
      default:
        return 'too-late';
    }
  }

  /** Send outside any transaction: the ACK for a 2xx, statelessly forwarded messages. May throw. */
  sendStateless(message: SipRequest | SipResponse, destination: Destination): void {
    this.transport.send(message, destination);
  }

  /** The INVITE server transaction a CANCEL refers to (§9.2, §17.2.3), if still alive. */
  findInviteForCancel(cancel: SipRequest): InviteServerTransaction | undefined {
    const via = topVia(cancel.headers);
    const cseq = parseCSeqValue(cancel.headers.get('CSeq'));
    if (!via || !cseq) return undefined;
    return this.matchInvite(cancel, via, cseq, tagOf(cancel.headers.get('To')), false);
  }

  /** Terminate every transaction and stop its timers (shutdown, tests). */
  close(): void {
    for (const transaction of [...this.clientTransactions.values(), ...this.serverTransactions.values()]) {
      transaction.dispose();
    }
    if (this.sweepTimer !== undefined) this.clock.clearTimer(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private receiveRequest(request: SipRequest, origin: MessageOrigin): void {
    const parsedVia = topVia(request.headers);
    if (!parsedVia) {
      // Without a Via there is nowhere to send a response.
      this.stats.malformed++;
      this.logger.debug({ method: request.method, remote: origin.remoteAddress }, 'request without a readable top Via dropped');
      return;
    }
    const via = stampReceived(request, parsedVia, origin);
    const cseq = parseCSeqValue(request.headers.get('CSeq'));
    if (!cseq || cseq.method !== request.method) {
      this.stats.malformed++;
      if (request.method !== 'ACK') this.rejectStateless(request, via, origin, 400, 'Bad CSeq');
      return;
    }
    if (request.method === 'ACK') {
      this.receiveAck(request, via, cseq, origin);
      return;
    }

    const key = hasMagicCookie(via.branch)
      ? serverKey(via.branch, via, request.method)
      : legacyRequestKey(request, via, cseq);
    const existing = this.serverTransactions.get(key);
    if (existing) {
      this.stats.requestRetransmissions++;
      if (existing.kind === TransactionKind.InviteServer) existing.receiveInvite();
      else existing.receiveRequest();
      return;
    }

    if (request.method === 'CANCEL') {
      const invite = this.matchInvite(request, via, cseq, tagOf(request.headers.get('To')), false);
      if (invite) {
        this.acceptCancel(request, key, invite, via, origin);
        return;
      }
      // No INVITE to cancel: the TU decides (a UA answers 481, a proxy forwards it).
    }

    const merge = mergeKey(request, cseq);
    const outsideDialog = request.method !== 'CANCEL' && tagOf(request.headers.get('To')) === undefined;
    if (outsideDialog && this.refuseNewRequest) {
      const retryAfter = this.refuseNewRequest(request);
      if (retryAfter !== undefined) {
        this.rejectStateless(request, via, origin, 503, 'Service Unavailable', [['Retry-After', String(retryAfter)]]);
        return;
      }
    }
    const first = merge === undefined ? undefined : this.byMergeKey.get(merge);
    // A request that comes back through us (our proxy sent it on and a downstream hop routed it
    // back: a spiral) carries more Vias than the first copy; two branches of one fork upstream
    // carry the same number.
    const vias = first === undefined ? 0 : viaCount(request);
    if (first && vias === first.vias) {
      // §8.2.2.2: another branch of a request we are already handling (an upstream proxy forked it
      // to us twice): 482 in a transaction of its own, so its retransmissions get the same answer.
      this.stats.mergedRequests++;
      const copy = this.createServerTransaction(request, key, via, cseq, origin);
      copy.respond(responseTo(request, 482, 'Loop Detected', newTag()));
      return;
    }
    const transaction = this.createServerTransaction(request, key, via, cseq, origin);
    if (merge !== undefined && !first) {
      transaction.mergeKey = ownString(merge);
      this.byMergeKey.set(transaction.mergeKey, { transaction, vias: viaCount(request) });
    }
    if (transaction.kind === TransactionKind.InviteServer) transaction.start(this.tryingDelay);
    if (!transaction.terminated) this.user.onRequest(request, transaction, origin);
  }

  private receiveAck(ack: SipRequest, via: TopVia, cseq: CSeqField, origin: MessageOrigin): void {
    const invite = this.matchInvite(ack, via, cseq, tagOf(ack.headers.get('To')), true);
    if (invite && invite.state !== InviteServerTransactionState.Accepted) {
      // ACK for a non-2xx final: Completed -> Confirmed, or absorbed.
      invite.receiveAck();
      return;
    }
    // The ACK for a 2xx is its own transaction, handled by the UA core (RFC 6026
    // passes an ACK matching a transaction in Accepted to the TU as well).
    this.stats.acksToTu++;
    this.user.onAck2xx?.(ack, origin);
  }

  private receiveResponse(response: SipResponse, origin: MessageOrigin): void {
    const via = topVia(response.headers);
    const cseq = parseCSeqValue(response.headers.get('CSeq'));
    if (!via || !cseq || !Number.isInteger(response.status) || response.status < 100 || response.status > 699) {
      this.stats.malformed++;
      return;
    }
    const transaction = via.branch === undefined ? undefined : this.clientTransactions.get(clientKey(via.branch, cseq.method));
    if (transaction) {
      transaction.receiveResponse(response);
      return;
    }
    this.stats.strayResponses++;
    this.user.onStrayResponse?.(response, origin);
  }

  /**
   * The INVITE server transaction a CANCEL or ACK belongs to. With the cookie:
   * same branch and sent-by, method INVITE. Without: the RFC 2543 fields, and the
   * To tag of the INVITE (CANCEL) or of the response sent (ACK).
   */
  private matchInvite(
    request: SipRequest,
    via: TopVia,
    cseq: CSeqField,
    toTag: string | undefined,
    isAck: boolean,
  ): InviteServerTransaction | undefined {
    if (hasMagicCookie(via.branch)) {
      const found = this.serverTransactions.get(serverKey(via.branch, via, 'INVITE'));
      return found?.kind === TransactionKind.InviteServer ? found : undefined;
    }
    const found = this.legacyInvites.get(legacyInviteKey(request, via, cseq));
    if (!found) return undefined;
    const expectedTag = isAck ? found.responseToTag : found.requestToTag;
    return expectedTag === toTag ? found : undefined;
  }

  /** §9.2: a CANCEL that matches gets 200 from the layer; the INVITE gets 487 if still pending. */
  private acceptCancel(
    cancel: SipRequest,
    key: string,
    invite: InviteServerTransaction,
    via: TopVia,
    origin: MessageOrigin,
  ): void {
    const cseq = parseCSeqValue(cancel.headers.get('CSeq'));
    if (!cseq) return;
    const cancelTransaction = this.createServerTransaction(cancel, key, via, cseq, origin) as NonInviteServerTransaction;
    // §9.2: the To tag of the CANCEL's response SHOULD equal that of the INVITE's.
    const toTag = invite.responseToTag ?? newTag();
    cancelTransaction.respond(responseTo(cancel, 200, 'OK', toTag));
    if (invite.state !== InviteServerTransactionState.Proceeding) {
      // The final response has gone already (the CANCEL/200 race): no effect on the INVITE.
      return;
    }
    if (this.user.onCancel) this.user.onCancel(invite, cancel, origin);
    else invite.respond(responseTo(invite.request, 487, 'Request Terminated', toTag));
  }

  private createServerTransaction(
    request: SipRequest,
    lookupKey: string,
    via: TopVia,
    cseq: CSeqField,
    origin: MessageOrigin,
  ): ServerTransaction {
    // The key is filed for the transaction's life (32 s lingering): built from substrings of
    // the message, it would keep the whole message text alive.
    const key = ownString(lookupKey);
    const reliable = this.transport.isReliable(origin.transport);
    const destination = responseDestination(via, origin, reliable);
    let transaction: ServerTransaction;
    if (request.method === 'INVITE') {
      const invite = new InviteServerTransaction(this.host, key, request, destination, reliable, origin, this.reports);
      if (!hasMagicCookie(via.branch)) {
        invite.secondaryKey = legacyInviteKey(request, via, cseq);
        this.legacyInvites.set(invite.secondaryKey, invite);
      }
      transaction = invite;
    } else {
      transaction = new NonInviteServerTransaction(this.host, key, request, destination, reliable, origin, this.reports);
      this.sweepTimer ??= this.clock.setTimer(this.timers.timerF, TransactionLayer.sweep, this);
    }
    transaction.key = key;
    this.serverTransactions.set(key, transaction);
    this.counts[transaction.kind]++;
    return transaction;
  }

  private rejectStateless(
    request: SipRequest, via: TopVia, origin: MessageOrigin, status: number, reason: string, extra: [string, string][] = [],
  ): void {
    const destination = responseDestination(via, origin, this.transport.isReliable(origin.transport));
    const response = responseTo(request, status, reason, newTag());
    for (const [name, value] of extra) response.headers.append(name, value);
    try {
      this.transport.send(response, destination);
    } catch (error) {
      this.logger.debug({ err: error }, 'could not send a stateless error response');
    }
  }

  /**
   * §17.2.2 gives a non-INVITE server transaction no timeout before the TU answers;
   * a TU (or app) that never answers would leak it. The client gives up after 64*T1
   * (Timer F), so a transaction still unanswered by then is ended here. One sweep
   * per 64*T1 for the whole layer instead of a timer per transaction. INVITEs may
   * ring for as long as the TU likes and are not swept.
   */
  private static sweep(layer: TransactionLayer): void {
    layer.sweepTimer = undefined;
    const cutoff = layer.clock.now() - layer.timers.timerF;
    let remaining = 0;
    for (const transaction of [...layer.serverTransactions.values()]) {
      if (transaction.kind !== TransactionKind.NonInviteServer) continue;
      const unanswered =
        transaction.state === NonInviteServerTransactionState.Trying ||
        transaction.state === NonInviteServerTransactionState.Proceeding;
      if (unanswered && transaction.createdAt <= cutoff) {
        layer.stats.abandonedRequests++;
        layer.logger.warn({ method: transaction.request.method }, 'TU never answered a request within 64*T1; transaction ended');
        transaction.dispose();
      } else {
        remaining++;
      }
    }
    if (remaining > 0) layer.sweepTimer = layer.clock.setTimer(layer.timers.timerF, TransactionLayer.sweep, layer);
  }

  private forget(transaction: Transaction): void {
    const isClient =
      transaction.kind === TransactionKind.InviteClient || transaction.kind === TransactionKind.NonInviteClient;
    const map: Map<string, Transaction> = isClient ? this.clientTransactions : this.serverTransactions;
    if (map.get(transaction.key) !== transaction) return;
    map.delete(transaction.key);
    if (transaction.secondaryKey !== undefined && this.legacyInvites.get(transaction.secondaryKey) === transaction) {
      this.legacyInvites.delete(transaction.secondaryKey);
    }
    if (transaction.mergeKey !== undefined && this.byMergeKey.get(transaction.mergeKey)?.transaction === transaction) {
      this.byMergeKey.delete(transaction.mergeKey);
    }
    this.counts[transaction.kind]--;
  }
}

function viaCount(request: SipRequest): number {
  let count = 0;
  for (const line of request.headers.getAll('Via')) count += splitHeaderList(line).length;
  return count;
}
