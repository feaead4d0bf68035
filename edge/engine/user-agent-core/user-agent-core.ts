// The UA core (RFC 3261 §8, §12-14; RFC 3262; RFC 3311) on behalf of drachtio
// apps. It is the transaction user of the transaction layer and the handler of
// the control server: network requests go to the app that routed their verb (or
// that owns their dialog), and the partial messages apps send are completed and
// sent in the right transaction or dialog. The engine keeps the SIP state
// (transactions, dialogs, 2xx and reliable-provisional retransmission); apps see
// drachtio-server's view of it.
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { SipRequest, type SipHeaders, type SipMessage, type SipResponse } from '../messages/sip-message.js';
import { getTag } from '../messages/headers/name-addr.js';
import { splitHeaderList } from '../messages/headers/header-list.js';
import { parseRAck, parseRSeq } from '../messages/headers/rack.js';
import { parseSessionExpires } from '../messages/headers/session-expires.js';
import type { SipServerTarget } from '../dns/sip-server-target.js';
import type { Clock, TimerHandle } from '../timers/clock.js';
import type { TimerValues } from '../timers/timer-values.js';
import { newTag } from '../transactions/branch.js';
import { cancelFor, responseTo } from '../transactions/local-responses.js';
import type { InviteClientTransaction } from '../transactions/invite-client-transaction.js';
import type { InviteServerTransaction } from '../transactions/invite-server-transaction.js';
import type { ClientTransactionListener } from '../transactions/transaction.js';
import type { ClientTransaction, CancelOutcome } from '../transactions/transaction-layer.js';
import type { Destination, MessageOrigin } from '../transactions/transaction-transport.js';
import type { ServerTransaction, TransactionUser } from '../transactions/transaction-user.js';
import type { AppSession } from '../control/app-session.js';
import { parseAppSipText } from '../control/app-sip-text.js';
import { stackTime, type CdrEvent, type SipMessageMeta } from '../control/control-message.js';
import type { AppProxyCommand, AppSipCommand, ControlHandler } from '../control/control-server.js';
import { Dialog, DialogState } from '../dialogs/dialog.js';
import { DialogTable } from '../dialogs/dialog-table.js';
import { contactUri, cseqNumber, uacDialogFields, uacDialogSeed, uasDialogFields } from '../dialogs/dialog-state-from-messages.js';
import { contactFor, type EngineTransport, type LocalEndpoint } from './local-endpoint.js';
import { appChosenTag, completeInDialogRequest, completeNewRequest, completeResponse, reasonPhrase } from './message-completion.js';
import { nextHopUri, numericTarget } from './next-hop.js';
import { ResponseRetransmitter } from './response-retransmitter.js';
import { DialogSettling } from './dialog-settling.js';
import { ownString } from '../messages/own-copy.js';
import type { ProxyService } from '../proxy/proxy-service.js';
import type { ProxyLocalAddress } from '../proxy/local-address.js';
import { proxyOptionsFromCommand } from '../proxy/proxy-options.js';

/** The transaction layer, as the UA core uses it. */
export interface UaStack {
  newBranch(): string;
  sendRequest(request: SipRequest, destination: Destination, listener: ClientTransactionListener): ClientTransaction;
  cancel(invite: InviteClientTransaction, listener: ClientTransactionListener, extraHeaders?: Iterable<[string, string]>): CancelOutcome;
  sendStateless(message: SipRequest | SipResponse, destination: Destination): void;
}

/** What the UA core needs from the engine around it. */
export interface UaEnvironment {
  /** Our address for messages sent over a transport (toward remoteAddress, or out of a listener). */
  localEndpoint(transport: EngineTransport, remoteAddress?: string, listenerName?: string): LocalEndpoint | undefined;
  /** RFC 3263 targets for a URI whose host is a name. */
  locate(uri: string): Promise<SipServerTarget[]>;
  /** The text of a message: as received, or as serialised for sending. */
  textOf(message: SipMessage): string;
  /** A listener as the proxy names it (for double Record-Route). */
  proxyAddressOf?(listenerName: string): ProxyLocalAddress | undefined;
}

/** The apps, as the UA core addresses them. */
export interface AppDirectory {
  selectApp(verb: string): AppSession | undefined;
  wantsCdr(event: CdrEvent): boolean;
  publishCdr(event: CdrEvent, source: string, sip: string, detail?: string): void;
}

export interface UserAgentCoreOptions {
  stack: UaStack;
  environment: UaEnvironment;
  clock: Clock;
  timers: TimerValues;
  logger?: Logger;
  /** The stateful proxy behind drachtio's `proxy` verb and record-routed dialogs. */
  proxy?: ProxyService;
  /** How long network requests in a dialog wait after the app is told of it (dialog-settling.ts); 0 = never. */
  dialogSettleMs?: number;
}

/** A request from the network that an app is answering. */
interface ServerContext {
  id: string;
  request: SipRequest;
  transaction: ServerTransaction;
  origin: MessageOrigin;
  app: AppSession;
  /** Our To tag for responses to a request that had none. */
  toTag: string | undefined;
  /** Clock time it arrived (non-INVITE requests an app never answers are answered 408 after 32*T1). */
  receivedAt: number;
  dialog: Dialog<AppSession> | undefined;
  /** True for an initial INVITE/SUBSCRIBE (dialog-creating). */
  initial: boolean;
  finalSent: boolean;
  reliableProvisionals: ReliableProvisional[];
}

interface ReliableProvisional {
  rseq: number;
  retransmitter: ResponseRetransmitter;
}

/** A request an app sent, awaiting responses. */
interface ClientContext {
  id: string;
  app: AppSession;
  request: SipRequest;
  destination: Destination;
  transaction: ClientTransaction | undefined;
  /** The dialog the request was sent in (in-dialog requests). */
  dialog: Dialog<AppSession> | undefined;
  /** An initial INVITE: its dialogs (early or confirmed) by remote tag. */
  forks: Map<string, Dialog<AppSession>> | undefined;
  finalSeen: boolean;
  cancelWanted: boolean;
  /** 2xx from other forks after the first (§13.2.2.4): the ACK resent on their retransmissions. */
  abandonedForks?: Map<string, { ack: SipRequest; destination: Destination }>;
}

interface AcceptedInvite {
  retransmitter: ResponseRetransmitter;
  serverContextId: string;
  /**
   * App requests in this dialog held until the ACK, as drachtio-server does: a B2BUA relaying
   * the B side's re-INVITE or BYE that arrives before the A side's ACK must not send it before
   * the 2xx is acknowledged (§14.1: no new INVITE while one is in progress; §15: no BYE before the ACK).
   */
  held: HeldAppRequest[];
}

interface HeldAppRequest {
  app: AppSession;
  command: AppSipCommand;
  partial: SipRequest;
}

const INVITE_LIKE = new Set(['INVITE', 'SUBSCRIBE']);
const SWEEP_INTERVAL_MS = 5000;

export class UserAgentCore implements TransactionUser, ControlHandler {
  readonly dialogs = new DialogTable<AppSession>();
  apps: AppDirectory | undefined;

  private readonly stack: UaStack;
  private readonly env: UaEnvironment;
  private readonly clock: Clock;
  private readonly timers: TimerValues;
  private readonly logger: Logger;
  private readonly proxy: ProxyService | undefined;
  private readonly serverContexts = new Map<string, ServerContext>();
  private readonly serverContextByTransaction = new Map<ServerTransaction, ServerContext>();
  /** The INVITE being answered in a dialog (for PRACK matching). */
  private readonly inviteContextByDialog = new Map<Dialog<AppSession>, ServerContext>();
  private readonly clientContexts = new Map<string, ClientContext>();
  /** 2xx to INVITE being retransmitted until the ACK, by dialog. */
  private readonly awaitingAck = new Map<Dialog<AppSession>, AcceptedInvite>();
  /** Session-expiry timers of dialogs whose peer is the RFC 4028 refresher. */
  private readonly sessionTimers = new Map<Dialog<AppSession>, TimerHandle>();
  /** The ACK we sent for a dialog's 2xx, resent when the 2xx is retransmitted. */
  private readonly sentAcks = new Map<Dialog<AppSession>, { ack: SipRequest; destination: Destination }>();
  /** Network requests in dialogs the app has only just been told about wait here (see dialog-settling.ts). */
  private readonly settling: DialogSettling;
  private readonly idPrefix = randomUUID().slice(0, 8);
  private idCounter = 0;
  private sweepTimer: TimerHandle;
  private closed = false;

  constructor(options: UserAgentCoreOptions) {
    this.stack = options.stack;
    this.env = options.environment;
    this.clock = options.clock;
    this.timers = options.timers;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.proxy = options.proxy;
    this.settling = new DialogSettling(this.clock, options.dialogSettleMs);
    this.sweepTimer = this.clock.setTimer(this.sweepInterval(), UserAgentCore.sweep, this);
  }

  private sweepInterval(): number {
    return Math.min(SWEEP_INTERVAL_MS, 8 * this.timers.t1);
  }

  /** Stop the UA core's own timers (engine shutdown). */
  close(): void {
    this.closed = true;
    this.clock.clearTimer(this.sweepTimer);
    this.settling.close();
    for (const accepted of this.awaitingAck.values()) accepted.retransmitter.stop();
    this.awaitingAck.clear();
    for (const timer of this.sessionTimers.values()) this.clock.clearTimer(timer);
    this.sessionTimers.clear();
    for (const context of this.serverContexts.values()) for (const reliable of context.reliableProvisionals) reliable.retransmitter.stop();
  }

  /**
   * The peer gives up on a non-INVITE request after 64*T1 (Timer F) and the
   * transaction layer then drops it silently; an app that has not answered
   * within 32*T1 is answered 408 for it, so the peer learns why.
   */
  private static sweep(self: UserAgentCore): void {
    if (self.closed) return;
    const limit = self.clock.now() - 32 * self.timers.t1;
    for (const context of [...self.serverContexts.values()]) {
      if (context.request.method !== 'INVITE' && context.receivedAt < limit) self.sendFinalLocally(context, 408, 'Request Timeout');
    }
    self.sweepTimer = self.clock.setTimer(self.sweepInterval(), UserAgentCore.sweep, self);
  }

  /** Requests from the network being handled by apps (for metrics and leak checks). */
  get pendingServerRequests(): number {
    return this.serverContexts.size;
  }

  /** Requests from apps awaiting a final response. */
  get pendingClientRequests(): number {
    return this.clientContexts.size;
  }

  private newId(): string {
    this.idCounter++;
    return `${this.idPrefix}-${this.idCounter.toString(36)}`;
  }

  // ---------------------------------------------------------------- network side (TransactionUser)

  onRequest(request: SipRequest, transaction: ServerTransaction, origin: MessageOrigin): void {
    const to = request.headers.get('To') ?? '';
    const toTag = getTag(to);
    if (toTag !== undefined) {
      this.onInDialogRequest(request, transaction, origin, toTag);
      return;
    }
    if (request.method === 'CANCEL' || request.method === 'PRACK') {
      // A CANCEL that matched nothing, a PRACK outside any early dialog (§9.2, RFC 3262 §3).
      this.reject(transaction, request, 481);
      return;
    }
    if (request.method === 'INVITE' && contactUri(request) === undefined) {
      this.reject(transaction, request, 400, 'Missing Contact header');
      return;
    }
    const app = this.apps?.selectApp(request.method.toLowerCase());
    if (!app) {
      this.reject(transaction, request, 503);
      return;
    }
    const context: ServerContext = {
      id: this.newId(), request, transaction, origin, app, receivedAt: this.clock.now(),
      toTag: newTag(), dialog: undefined, initial: INVITE_LIKE.has(request.method),
      finalSent: false, reliableProvisionals: [],
    };
    this.trackServerContext(context);
    if (request.method === 'INVITE') this.cdr('attempt', 'network', request);
    this.deliverRequest(app, context, request, origin, '');
  }

  private onInDialogRequest(request: SipRequest, transaction: ServerTransaction, origin: MessageOrigin, toTag: string): void {
    const callId = request.headers.get('Call-ID') ?? '';
    const fromTag = getTag(request.headers.get('From') ?? '') ?? '';
    const dialog = this.dialogs.find(callId, toTag, fromTag);
    if (!dialog || dialog.owner.closed) {
      // Not ours: a dialog we record-routed as a proxy, or a stale request.
      if (!dialog && this.proxy?.isRoutedThroughUs(request)) this.proxy.routeInDialog(request, transaction);
      else this.reject(transaction, request, 481);
      return;
    }
    const seq = cseqNumber(request);
    if (seq === undefined || !dialog.acceptRemoteSeq(seq)) {
      this.reject(transaction, request, 500, 'CSeq out of order');
      return;
    }
    if (request.method === 'INVITE') {
      if (dialog.outgoingInvitePending) {
        this.reject(transaction, request, 491);
        return;
      }
      if (dialog.incomingInvitePending) {
        this.reject(transaction, request, 500, 'Server Internal Error', [['Retry-After', '1']]);
        return;
      }
      dialog.incomingInvitePending = true;
    }
    if (request.method === 'PRACK') {
      this.onPrack(request, transaction, origin, dialog);
      return;
    }
    const context: ServerContext = {
      id: this.newId(), request, transaction, origin, app: dialog.owner, receivedAt: this.clock.now(),
      toTag: undefined, dialog, initial: false, finalSent: false, reliableProvisionals: [],
    };
    this.trackServerContext(context);
    this.deliverRequest(dialog.owner, context, request, origin, dialog.id);
  }

  /** RFC 3262 §3: a PRACK stops the retransmission of the provisional it acknowledges; the engine answers it. */
  private onPrack(request: SipRequest, transaction: ServerTransaction, origin: MessageOrigin, dialog: Dialog<AppSession>): void {
    const rack = lenientRAck(request.headers.get('RAck') ?? '');
    let matched = false;
    const context = this.inviteContextByDialog.get(dialog);
    if (rack && context && cseqNumber(context.request) === rack.cseq) {
      const index = context.reliableProvisionals.findIndex((p) => p.rseq === rack.rseq);
      if (index !== -1) {
        context.reliableProvisionals[index]!.retransmitter.stop();
        context.reliableProvisionals.splice(index, 1);
        matched = true;
      }
    }
    if (!matched) {
      this.reject(transaction, request, 481);
      return;
    }
    transaction.respond(responseTo(request, 200, 'OK'));
    // drachtio-srf resolves the reliable provisional's callback on seeing the PRACK.
    this.deliverRequest(dialog.owner, undefined, request, origin, dialog.id);
  }

  onCancel(invite: InviteServerTransaction, cancel: SipRequest, origin: MessageOrigin): void {
    if (this.proxy?.cancel(invite)) return;
    const context = this.serverContextByTransaction.get(invite);
    if (!context) {
      invite.respond(responseTo(invite.request, 487, 'Request Terminated', newTag()));
      return;
    }
    this.sendFinalLocally(context, 487, 'Request Terminated');
    this.cdr('stop', 'network', cancel, 'call-canceled');
    this.deliverRequest(context.app, undefined, cancel, origin, '', context.id);
  }

  onAck2xx(ack: SipRequest, origin: MessageOrigin): void {
    const callId = ack.headers.get('Call-ID') ?? '';
    const toTag = getTag(ack.headers.get('To') ?? '') ?? '';
    const fromTag = getTag(ack.headers.get('From') ?? '') ?? '';
    const dialog = this.dialogs.find(callId, toTag, fromTag);
    if (!dialog) {
      if (this.proxy?.isRoutedThroughUs(ack)) void this.proxy.forwardAck(ack);
      return;
    }
    const accepted = this.awaitingAck.get(dialog);
    if (!accepted) return; // a retransmitted ACK
    accepted.retransmitter.stop();
    this.awaitingAck.delete(dialog);
    if (!dialog.owner.closed) this.deliverRequest(dialog.owner, undefined, ack, origin, dialog.id, accepted.serverContextId);
    for (const held of accepted.held) this.sendInDialogRequest(held.app, held.command, held.partial);
  }

  onStrayResponse(response: SipResponse): void {
    // RFC 6026 §7.2: a UA drops responses that match no transaction; a proxy passes 2xx retransmissions on.
    this.proxy?.forwardStrayResponse(response);
  }

  onTransactionTimeout(transaction: ServerTransaction): void {
    this.forgetServerTransaction(transaction);
  }

  onTransportError(transaction: ServerTransaction, error: Error): void {
    this.logger.debug({ err: error.message }, 'transport error on a server transaction');
    this.forgetServerTransaction(transaction);
  }

  private forgetServerTransaction(transaction: ServerTransaction): void {
    const context = this.serverContextByTransaction.get(transaction);
    if (!context) return;
    this.untrackServerContext(context);
    // An early dialog of an INVITE that can no longer be answered would otherwise never end.
    if (context.initial && context.dialog?.state === DialogState.Early) this.dropDialog(context.dialog);
  }

  private trackServerContext(context: ServerContext): void {
    this.serverContexts.set(context.id, context);
    this.serverContextByTransaction.set(context.transaction, context);
  }

  private untrackServerContext(context: ServerContext): void {
    this.serverContexts.delete(context.id);
    this.serverContextByTransaction.delete(context.transaction);
    if (context.dialog && this.inviteContextByDialog.get(context.dialog) === context) this.inviteContextByDialog.delete(context.dialog);
    for (const reliable of context.reliableProvisionals) reliable.retransmitter.stop();
    context.reliableProvisionals = [];
  }

  private reject(transaction: ServerTransaction, request: SipRequest, status: number, reason?: string, extra: [string, string][] = []): void {
    const response = responseTo(request, status, reason ?? reasonPhrase(status), newTag());
    for (const [name, value] of extra) response.headers.append(name, value);
    transaction.respond(response);
  }

  /** A final response the engine sends itself (487 after CANCEL, 503 when the app left). */
  private sendFinalLocally(context: ServerContext, status: number, reason: string): void {
    if (context.finalSent) return;
    context.finalSent = true;
    const getsTag = getTag(context.request.headers.get('To') ?? '') === undefined;
    context.transaction.respond(responseTo(context.request, status, reason, getsTag ? context.toTag : undefined));
    if (context.initial && context.dialog && context.dialog.state === DialogState.Early) this.dropDialog(context.dialog);
    if (context.dialog && context.request.method === 'INVITE') context.dialog.incomingInvitePending = false;
    // The peer's BYE ends the dialog whatever the answer (§15.1.2); an app that never answered it
    // (answered 408 by the sweep) would otherwise leave the dialog behind for good.
    if (context.dialog && context.request.method === 'BYE') this.dropDialog(context.dialog);
    this.untrackServerContext(context);
  }

  private deliverRequest(
    app: AppSession, context: ServerContext | undefined, request: SipRequest, origin: MessageOrigin, dialogId: string, transactionId?: string,
  ): void {
    const meta: SipMessageMeta = {
      source: 'network', protocol: origin.transport, address: origin.remoteAddress, port: origin.remotePort,
      time: stackTime(), transactionId: transactionId ?? context?.id ?? this.newId(), dialogId,
    };
    const text = this.env.textOf(request);
    const receivedOn = { address: origin.localAddress, port: origin.localPort };
    this.settling.deliver(dialogId, () => app.deliverSip(meta, text, receivedOn));
  }

  // ---------------------------------------------------------------- app side (ControlHandler)

  onAppSip(app: AppSession, command: AppSipCommand): void {
    let message: SipMessage;
    try {
      message = parseAppSipText(command.sip);
    } catch (error) {
      app.replyNok(command.msgId, (error as Error).message);
      return;
    }
    if (message.kind === 'response') {
      this.sendAppResponse(app, command, message);
    } else if (command.stackDialogId !== '') {
      this.sendInDialogRequest(app, command, message);
    } else if (command.stackTxnId !== '' && message.method === 'CANCEL') {
      this.sendAppCancel(app, command, message);
    } else {
      this.sendNewRequest(app, command, message);
    }
  }

  /** drachtio's `proxy` verb: hand the app's request to the stateful proxy, reporting each final response and the end. */
  onAppProxy(app: AppSession, command: AppProxyCommand): void {
    const context = this.serverContexts.get(command.command.stackTxnId);
    if (!this.proxy || !context || context.finalSent) {
      app.replyNok(command.msgId, this.proxy ? 'unable to find transaction to proxy' : 'proxy is not available');
      return;
    }
    let extraHeaders: SipHeaders | undefined;
    if (command.sip !== '') {
      try {
        extraHeaders = parseAppSipText(command.sip).headers;
      } catch (error) {
        app.replyNok(command.msgId, (error as Error).message);
        return;
      }
    }
    const options = proxyOptionsFromCommand(command.command, extraHeaders ? [...extraHeaders] : []);
    if (options instanceof Error) {
      app.replyNok(command.msgId, options.message);
      return;
    }
    // From here the proxy owns the server transaction; the UA core forgets it.
    context.finalSent = true;
    this.untrackServerContext(context);
    const msgId = command.msgId;
    const receivedOn = this.env.proxyAddressOf?.(context.origin.listenerName);
    this.proxy.proxy(context.request, context.transaction, options, {
      finalResponse: (response, source) => {
        if (app.closed) return;
        app.replySent(msgId, {
          source: 'network', protocol: source.transport, address: source.address, port: source.port,
          time: stackTime(), transactionId: context.id, dialogId: '',
        }, this.env.textOf(response), true);
      },
      done: () => app.replyOk(msgId, 'done'),
      failed: (reason) => app.replyNok(msgId, reason),
    }, receivedOn);
  }

  existingDialogIds(ids: readonly string[]): string[] {
    return ids.filter((id) => this.dialogs.findById(id) !== undefined);
  }

  onAppGone(app: AppSession): void {
    for (const context of [...this.serverContexts.values()]) {
      if (context.app !== app) continue;
      if (!context.finalSent) this.sendFinalLocally(context, 503, 'Service Unavailable');
      this.untrackServerContext(context);
    }
    for (const context of [...this.clientContexts.values()]) {
      if (context.app !== app) continue;
      if (context.transaction && context.request.method === 'INVITE' && !context.finalSeen) {
        this.stack.cancel(context.transaction as InviteClientTransaction, IGNORE_RESPONSES);
      }
      this.clientContexts.delete(context.id);
    }
    for (const dialog of this.dialogs.ownedBy(app)) {
      if (dialog.state === DialogState.Confirmed) this.sendBye(dialog);
      this.dropDialog(dialog);
    }
  }

  private sendAppResponse(app: AppSession, command: AppSipCommand, partial: SipResponse): void {
    const context = this.serverContexts.get(command.stackTxnId);
    if (!context || context.finalSent) {
      app.replyNok(command.msgId, 'unable to find transaction for response (it may have ended)');
      return;
    }
    const { request, origin } = context;
    const status = partial.status;
    const method = request.method;
    const success = status >= 200 && status < 300;
    const dialogResponse = status > 100 && status < 300 && (INVITE_LIKE.has(method) || (method === 'UPDATE' && success));
    const local = this.env.localEndpoint(origin.transport as EngineTransport, origin.remoteAddress, origin.listenerName);
    // drachtio-server lets the app choose the To tag of its first tagged response.
    if (context.initial || getTag(request.headers.get('To') ?? '') === undefined) {
      const chosen = context.dialog === undefined ? appChosenTag(partial) : undefined;
      if (chosen !== undefined) context.toTag = chosen;
    }
    const response = completeResponse(request, partial, {
      local,
      toTag: status > 100 ? context.toTag : undefined,
      contact: dialogResponse ? (context.dialog?.localContact ?? (local ? contactFor(local) : undefined)) : undefined,
      copyRecordRoute: context.initial && dialogResponse,
    });

    const createsDialog = context.initial && dialogResponse && !context.dialog;
    if (createsDialog) {
      context.dialog = this.createUasDialog(context, response, local, success);
    } else if (context.initial && success && context.dialog) {
      context.dialog.state = DialogState.Confirmed;
    }
    const dialog = context.dialog;
    if (dialog && context.initial && dialogResponse) this.settling.begin(dialog.id);
    if (dialog && method === 'INVITE' && status < 200) this.inviteContextByDialog.set(dialog, context);

    const reliable = method === 'INVITE' && status > 100 && status < 200 && requires100rel(response) && dialog !== undefined;
    if (reliable) response.headers.set('RSeq', String(dialog.nextRSeq++));

    if (!context.transaction.respond(response)) {
      // The dialog this response would have created never reached the peer.
      if (createsDialog && dialog) {
        context.dialog = undefined;
        this.inviteContextByDialog.delete(dialog);
        this.dropDialog(dialog);
      }
      app.replyNok(command.msgId, 'transaction no longer accepts responses');
      return;
    }
    const destination = context.transaction.destination;
    if (reliable) this.retransmitReliably(context, response, destination);

    if (status >= 200) {
      context.finalSent = true;
      this.untrackServerContext(context);
      this.afterFinalResponse(context, response, destination);
    }
    app.replySent(command.msgId, {
      source: 'application', protocol: destination.transport, address: destination.address, port: destination.port,
      time: stackTime(), transactionId: context.id, dialogId: dialog?.id ?? '',
    }, this.env.textOf(response));
  }

  private createUasDialog(context: ServerContext, response: SipResponse, local: LocalEndpoint | undefined, confirmed: boolean): Dialog<AppSession> | undefined {
    const fields = uasDialogFields(context.request, response);
    if (!fields) return undefined;
    const dialog = new Dialog<AppSession>({
      role: 'uas', state: confirmed ? DialogState.Confirmed : DialogState.Early, ...fields,
      localContact: ownString(response.headers.get('Contact') ?? (local ? contactFor(local) : '')),
      flow: context.transaction.destination, owner: context.app,
      usage: context.request.method === 'SUBSCRIBE' ? 'subscribe' : 'invite',
    });
    dialog.inviteSeq = fields.remoteSeq ?? 0;
    this.dialogs.add(dialog);
    return dialog;
  }

  private afterFinalResponse(context: ServerContext, response: SipResponse, destination: Destination): void {
    const { request } = context;
    const dialog = context.dialog;
    const status = response.status;
    const success = status < 300;
    if (request.method === 'INVITE') {
      if (dialog) dialog.incomingInvitePending = false;
      if (success && dialog) {
        if (!context.initial) this.refreshTarget(dialog, request);
        this.retransmit2xx(context, dialog, response, destination);
        this.watchSessionTimer(dialog, response, true);
        if (context.initial) this.cdr('start', 'application', response, 'uas');
      } else if (context.initial) {
        if (dialog) this.dropDialog(dialog);
        this.cdr('stop', 'application', response, 'call-rejected');
      }
    } else if (request.method === 'UPDATE' && success && dialog) {
      this.refreshTarget(dialog, request);
      if (dialog.state === DialogState.Confirmed) this.watchSessionTimer(dialog, response, true);
    } else if (request.method === 'BYE' && dialog) {
      this.dropDialog(dialog);
      this.cdr('stop', 'network', request, 'normal-release');
    } else if (request.method === 'SUBSCRIBE' && !success && context.initial && dialog) {
      this.dropDialog(dialog);
    } else if (dialog && success && dialog.usage === 'subscribe' && endsSubscription(request)) {
      this.dropDialog(dialog);
    }
  }

  private refreshTarget(dialog: Dialog<AppSession>, message: SipRequest | SipResponse): void {
    const target = contactUri(message);
    if (target !== undefined) dialog.remoteTarget = ownString(target);
  }

  /** §13.3.1.4: resend the 2xx until the ACK; without one, end the dialog with BYE and tell the app. */
  private retransmit2xx(context: ServerContext, dialog: Dialog<AppSession>, response: SipResponse, destination: Destination): void {
    const previous = this.awaitingAck.get(dialog);
    previous?.retransmitter.stop();
    const retransmitter = new ResponseRetransmitter(
      this.clock,
      {
        initialMs: this.timers.timerG, maxIntervalMs: this.timers.t2, timeoutMs: this.timers.timerH,
        resend: destination.transport === 'udp',
      },
      () => this.stack.sendStateless(response, destination),
      () => this.onAckTimeout(dialog),
    );
    this.awaitingAck.set(dialog, { retransmitter, serverContextId: context.id, held: previous?.held ?? [] });
    retransmitter.start();
  }

  private onAckTimeout(dialog: Dialog<AppSession>): void {
    const accepted = this.awaitingAck.get(dialog);
    this.awaitingAck.delete(dialog);
    // drachtio-srf reports the Reason text as the dialog's destroy reason ('ACK timeout').
    this.tearDown(dialog, 'ACK timeout', 'ack-timeout');
    if (accepted) failHeld(accepted, 'dialog ended without an ACK');
  }

  /**
   * End a dialog the engine gives up on: BYE to the peer, and an "unsolicited" BYE to
   * the app as drachtio-server sends it, so drachtio-srf destroys its dialog with `reasonText`.
   */
  private tearDown(dialog: Dialog<AppSession>, reasonText: string, cdrReason: string): void {
    if (dialog.state === DialogState.Terminated) return;
    const bye = this.sendBye(dialog, `SIP ;cause=200 ;text="${reasonText}"`);
    if (bye && !dialog.owner.closed) {
      dialog.owner.deliverSip({
        source: 'application', protocol: dialog.flow.transport, address: dialog.flow.address, port: dialog.flow.port,
        time: stackTime(), transactionId: 'unsolicited', dialogId: dialog.id,
      }, this.env.textOf(bye));
    }
    this.cdr('stop', 'application', bye ?? new SipRequest('BYE', dialog.remoteTarget), cdrReason);
    this.dropDialog(dialog);
  }

  /**
   * RFC 4028: when the peer is the session refresher, a session it does not refresh
   * is ended at expiry - min(32 s, interval/3), as drachtio-server does. When the
   * engine's side is the refresher, refreshing is the app's job (headers pass through).
   */
  private watchSessionTimer(dialog: Dialog<AppSession>, response: SipResponse, weSentResponse: boolean): void {
    const previous = this.sessionTimers.get(dialog);
    if (previous !== undefined) this.clock.clearTimer(previous);
    this.sessionTimers.delete(dialog);
    const value = response.headers.get('Session-Expires');
    const expires = value === undefined ? undefined : parseSessionExpires(value);
    if (!expires || expires.refresher === undefined || expires.deltaSeconds === 0) return;
    const peerRefreshes = weSentResponse ? expires.refresher === 'uac' : expires.refresher === 'uas';
    if (!peerRefreshes) return;
    const intervalMs = expires.deltaSeconds * 1000;
    const timer = this.clock.setTimer(intervalMs - Math.min(32_000, intervalMs / 3), (stale: Dialog<AppSession>) => {
      this.sessionTimers.delete(stale);
      this.tearDown(stale, 'Session timer expired', 'session-expired');
    }, dialog);
    this.sessionTimers.set(dialog, timer);
  }

  private retransmitReliably(context: ServerContext, response: SipResponse, destination: Destination): void {
    const rseq = parseRSeq(response.headers.get('RSeq') ?? '') ?? 0;
    const retransmitter = new ResponseRetransmitter(
      this.clock,
      { initialMs: this.timers.t1, maxIntervalMs: Infinity, timeoutMs: 64 * this.timers.t1, resend: destination.transport === 'udp' },
      () => this.stack.sendStateless(response, destination),
      () => {
        // RFC 3262 §3: no PRACK; reject the INVITE with a 5xx.
        context.reliableProvisionals = context.reliableProvisionals.filter((p) => p.rseq !== rseq);
        if (!context.finalSent) this.sendFinalLocally(context, 504, 'Server Time-out');
      },
    );
    context.reliableProvisionals.push({ rseq, retransmitter });
    retransmitter.start();
  }

  private sendNewRequest(app: AppSession, command: AppSipCommand, partial: SipRequest): void {
    const targetUri = command.proxy !== '' ? command.proxy : partial.uri;
    this.withTarget(targetUri, app, command.msgId, (target) => {
      const local = this.env.localEndpoint(target.transport, target.address);
      if (!local) {
        app.replyNok(command.msgId, `requested protocol/transport not available: ${target.transport}`);
        return;
      }
      const request = completeNewRequest(partial, local, {
        branch: this.stack.newBranch(), fromTag: newTag(), callId: randomUUID(),
      });
      const destination: Destination = { transport: target.transport, address: target.address, port: target.port };
      const context: ClientContext = {
        id: this.newId(), app, request, destination, transaction: undefined, dialog: undefined,
        forks: INVITE_LIKE.has(request.method) ? new Map() : undefined, finalSeen: false, cancelWanted: false,
      };
      this.startClientTransaction(context, command.msgId);
      if (request.method === 'INVITE') this.cdr('attempt', 'application', request);
    });
  }

  private sendInDialogRequest(app: AppSession, command: AppSipCommand, partial: SipRequest): void {
    const dialog = this.dialogs.findById(command.stackDialogId);
    if (!dialog) {
      app.replyNok(command.msgId, partial.method === 'ACK'
        ? 'ACK for non-success final response is automatically generated by server'
        : 'unable to find dialog for dialog id provided');
      return;
    }
    const accepted = this.awaitingAck.get(dialog);
    if (accepted && partial.method !== 'ACK') {
      accepted.held.push({ app, command, partial });
      return;
    }
    const hopUri = nextHopUri(dialog.remoteTarget, dialog.routeSet);
    this.withTarget(hopUri, app, command.msgId, (target) => {
      if (dialog.state === DialogState.Terminated) {
        app.replyNok(command.msgId, 'unable to find dialog for dialog id provided');
        return;
      }
      const local = this.env.localEndpoint(target.transport, target.address);
      if (!local) {
        app.replyNok(command.msgId, `requested protocol/transport not available: ${target.transport}`);
        return;
      }
      const destination: Destination = { transport: target.transport, address: target.address, port: target.port };
      // Reuse the dialog's connection when the next hop is the peer it came from.
      if (dialog.flow.connectionId !== undefined && dialog.flow.transport === target.transport && dialog.flow.address === target.address) {
        destination.connectionId = dialog.flow.connectionId;
      }
      const method = partial.method;
      const seq = method === 'ACK' ? dialog.inviteSeq : dialog.nextLocalSeq();
      const request = completeInDialogRequest(partial, local, {
        requestUri: dialog.remoteTarget, routeSet: dialog.routeSet, localUri: dialog.localUri, remoteUri: dialog.remoteUri,
        callId: dialog.callId, cseq: seq, contact: dialog.localContact, branch: this.stack.newBranch(),
      });
      if (method === 'ACK') {
        this.stack.sendStateless(request, destination);
        this.sentAcks.set(dialog, { ack: request, destination });
        app.replySent(command.msgId, sentMeta(destination, '', dialog.id), this.env.textOf(request));
        return;
      }
      if (method === 'PRACK' && !request.headers.has('RAck')) {
        request.headers.append('RAck', `${dialog.lastRSeqReceived ?? 0} ${dialog.inviteSeq} INVITE`);
      }
      if (method === 'INVITE') {
        dialog.outgoingInvitePending = true;
        dialog.inviteSeq = seq;
        this.sentAcks.delete(dialog);
      }
      if (method === 'BYE') this.cancelPendingReinvite(dialog);
      const context: ClientContext = {
        id: this.newId(), app, request, destination, transaction: undefined, dialog,
        forks: undefined, finalSeen: false, cancelWanted: false,
      };
      this.startClientTransaction(context, command.msgId);
      if (method === 'BYE') this.cdr('stop', 'application', request, 'normal-release');
    });
  }

  /** drachtio-server cancels our pending re-INVITE when the app hangs up during it. */
  private cancelPendingReinvite(dialog: Dialog<AppSession>): void {
    if (!dialog.outgoingInvitePending) return;
    for (const context of this.clientContexts.values()) {
      if (context.dialog === dialog && context.request.method === 'INVITE' && context.transaction) {
        this.stack.cancel(context.transaction as InviteClientTransaction, IGNORE_RESPONSES);
      }
    }
  }

  private sendAppCancel(app: AppSession, command: AppSipCommand, partial: SipRequest): void {
    const context = this.clientContexts.get(command.stackTxnId);
    if (!context || context.request.method !== 'INVITE' || context.finalSeen) {
      app.replyNok(command.msgId, 'unable to find transaction to cancel');
      return;
    }
    const extra: [string, string][] = [];
    for (const field of partial.headers) if (field.name === 'Reason') extra.push([field.name, field.value]);
    const cancel = cancelFor(context.request, extra);
    if (context.transaction) this.stack.cancel(context.transaction as InviteClientTransaction, IGNORE_RESPONSES, extra);
    else context.cancelWanted = true;
    app.replySent(command.msgId, sentMeta(context.destination, context.id, ''), this.env.textOf(cancel));
  }

  /** Resolve the next hop (synchronously for numeric hosts), answering NOK when there is none. */
  private withTarget(uri: string, app: AppSession, msgId: string, then: (target: SipServerTarget) => void): void {
    const numeric = numericTarget(uri);
    if (numeric === null) {
      app.replyNok(msgId, `invalid request-uri: ${uri.slice(0, 200)}`);
      return;
    }
    if (numeric !== undefined) {
      then(numeric);
      return;
    }
    this.env.locate(uri).then(
      (targets) => {
        const first = targets[0];
        if (!first) app.replyNok(msgId, `unable to resolve ${uri.slice(0, 200)}`);
        else then(first);
      },
      (error: Error) => app.replyNok(msgId, `unable to resolve ${uri.slice(0, 200)}: ${error.message}`),
    );
  }

  private startClientTransaction(context: ClientContext, msgId: string): void {
    const listener: ClientTransactionListener = {
      onResponse: (response) => this.onClientResponse(context, response),
      onTimeout: () => this.onClientFailure(context, 408, 'Request Timeout'),
      onTransportError: () => this.onClientFailure(context, 503, 'Service Unavailable'),
    };
    this.clientContexts.set(context.id, context);
    try {
      context.transaction = this.stack.sendRequest(context.request, context.destination, listener);
    } catch (error) {
      this.clientContexts.delete(context.id);
      if (context.dialog && context.request.method === 'INVITE') context.dialog.outgoingInvitePending = false;
      // A hang-up that cannot be sent still ends the dialog on our side (§15.1.1).
      if (context.dialog && context.request.method === 'BYE') this.dropDialog(context.dialog);
      context.app.replyNok(msgId, `failed sending request: ${(error as Error).message}`);
      return;
    }
    context.app.replySent(msgId, sentMeta(context.destination, context.id, context.dialog?.id ?? ''), this.env.textOf(context.request));
    if (context.cancelWanted && context.transaction.kind === 'invite-client') {
      this.stack.cancel(context.transaction as InviteClientTransaction, IGNORE_RESPONSES);
    }
  }

  private onClientFailure(context: ClientContext, status: number, reason: string): void {
    if (context.finalSeen) return;
    const response = responseTo(context.request, status, reason);
    this.onClientResponse(context, response);
  }

  private onClientResponse(context: ClientContext, response: SipResponse): void {
    const status = response.status;
    const method = context.request.method;
    if (context.finalSeen) {
      // A retransmitted 2xx (or one from another fork): resend our ACK (§13.2.2.4).
      if (method === 'INVITE' && status >= 200 && status < 300) this.onRetransmitted2xx(context, response);
      return;
    }
    if (status === 100) return;
    let dialog = context.dialog;
    if (context.forks !== undefined && status > 100 && status < 300) {
      dialog = this.uacDialogFor(context, response);
    }
    if (dialog && status > 100 && status < 200) {
      const rseq = parseRSeq(response.headers.get('RSeq') ?? '');
      if (rseq !== undefined) dialog.lastRSeqReceived = rseq;
    }
    if (status >= 200) {
      context.finalSeen = true;
      this.clientContexts.delete(context.id);
      this.afterClientFinal(context, response, dialog);
      // The transaction keeps this context for Timer M; later 2xx need only the dialog headers.
      if (context.forks !== undefined) context.request = uacDialogSeed(context.request);
    }
    if (context.app.closed) {
      this.orphanedResponse(context, response, dialog);
      return;
    }
    if (dialog && context.forks !== undefined && status > 100 && status < 300) this.settling.begin(dialog.id);
    context.app.deliverSip({
      source: 'network', protocol: context.destination.transport, address: context.destination.address,
      port: context.destination.port, time: stackTime(), transactionId: context.id, dialogId: dialog?.id ?? '',
    }, this.env.textOf(response));
  }

  /** The early or confirmed dialog a provisional or 2xx to our initial INVITE/SUBSCRIBE belongs to (forking: one per To tag). */
  private uacDialogFor(context: ClientContext, response: SipResponse): Dialog<AppSession> | undefined {
    const remoteTag = getTag(response.headers.get('To') ?? '');
    if (remoteTag === undefined || context.forks === undefined) return undefined;
    const success = response.status >= 200;
    let dialog = context.forks.get(remoteTag);
    if (!dialog) {
      const fields = uacDialogFields(context.request, response);
      if (!fields) return undefined;
      dialog = new Dialog<AppSession>({
        role: 'uac', state: success ? DialogState.Confirmed : DialogState.Early, ...fields,
        localContact: ownString(context.request.headers.get('Contact') ?? ''),
        flow: context.destination, owner: context.app,
        usage: context.request.method === 'SUBSCRIBE' ? 'subscribe' : 'invite',
      });
      dialog.inviteSeq = fields.localSeq;
      context.forks.set(remoteTag, dialog);
      this.dialogs.add(dialog);
    } else if (success) {
      dialog.state = DialogState.Confirmed;
      // §12.1.2: the 2xx fixes the route set and remote target.
      this.refreshTarget(dialog, response);
      const fields = uacDialogFields(context.request, response);
      if (fields) dialog.routeSet = fields.routeSet;
    }
    if (success) this.dialogs.promote(dialog);
    return dialog;
  }

  private afterClientFinal(context: ClientContext, response: SipResponse, dialog: Dialog<AppSession> | undefined): void {
    const method = context.request.method;
    const success = response.status < 300;
    if (context.forks !== undefined) {
      // Early dialogs of branches that did not answer 2xx end with the transaction.
      for (const fork of context.forks.values()) if (fork !== dialog || !success) this.dropDialog(fork);
      context.forks.clear();
      if (success && dialog && method === 'INVITE') this.watchSessionTimer(dialog, response, false);
      if (method === 'INVITE') this.cdr(success ? 'start' : 'stop', 'network', response, success ? 'uac' : 'call-rejected');
      return;
    }
    if (!dialog) return;
    if (method === 'INVITE') {
      dialog.outgoingInvitePending = false;
      if (success) {
        this.refreshTarget(dialog, response);
        this.watchSessionTimer(dialog, response, false);
      }
    } else if (method === 'UPDATE' && success) {
      this.refreshTarget(dialog, response);
      if (dialog.state === DialogState.Confirmed) this.watchSessionTimer(dialog, response, false);
    } else if (method === 'BYE' || (success && dialog.usage === 'subscribe' && endsSubscription(context.request))) {
      this.dropDialog(dialog);
    } else if (response.status === 481 || response.status === 408) {
      // §12.2.1.2: the dialog is gone at the peer.
      this.dropDialog(dialog);
    }
  }

  private onRetransmitted2xx(context: ClientContext, response: SipResponse): void {
    const remoteTag = getTag(response.headers.get('To') ?? '');
    if (remoteTag === undefined) return;
    const abandoned = context.abandonedForks?.get(remoteTag);
    if (abandoned) {
      this.stack.sendStateless(abandoned.ack, abandoned.destination);
      return;
    }
    const callId = context.request.headers.get('Call-ID') ?? '';
    const localTag = getTag(context.request.headers.get('From') ?? '') ?? '';
    const dialog = this.dialogs.find(callId, localTag, remoteTag);
    if (!dialog && context.forks !== undefined && context.request.method === 'INVITE') {
      this.abandonFork(context, response, remoteTag);
      return;
    }
    const sent = dialog ? this.sentAcks.get(dialog) : undefined;
    if (sent) this.stack.sendStateless(sent.ack, sent.destination);
  }

  /**
   * RFC 3261 §13.2.2.4: a 2xx from another fork after the one the app has. The app only
   * knows the first dialog, so the engine ACKs this one and ends it with a BYE; its
   * retransmissions get the same ACK again.
   */
  private abandonFork(context: ClientContext, response: SipResponse, remoteTag: string): void {
    const fields = uacDialogFields(context.request, response);
    if (!fields) return;
    const fork = new Dialog<AppSession>({
      role: 'uac', state: DialogState.Confirmed, ...fields,
      localContact: context.request.headers.get('Contact') ?? '', flow: context.destination, owner: context.app, usage: 'invite',
    });
    const target = numericTarget(nextHopUri(fork.remoteTarget, fork.routeSet));
    const local = target ? this.env.localEndpoint(target.transport, target.address) : undefined;
    if (!target || !local) return;
    const destination: Destination = { transport: target.transport, address: target.address, port: target.port };
    if (context.destination.connectionId !== undefined && context.destination.address === target.address) {
      destination.connectionId = context.destination.connectionId;
    }
    const ack = completeInDialogRequest(new SipRequest('ACK', fork.remoteTarget), local, {
      requestUri: fork.remoteTarget, routeSet: fork.routeSet, localUri: fork.localUri, remoteUri: fork.remoteUri,
      callId: fork.callId, cseq: fields.localSeq, contact: fork.localContact, branch: this.stack.newBranch(),
    });
    this.stack.sendStateless(ack, destination);
    (context.abandonedForks ??= new Map()).set(remoteTag, { ack, destination });
    this.logger.debug({ callId: fork.callId }, 'ACKed and ended a second forked 2xx');
    this.sendBye(fork);
  }

  /** A response for an app that has gone: acknowledge and end any dialog it created. */
  private orphanedResponse(context: ClientContext, response: SipResponse, dialog: Dialog<AppSession> | undefined): void {
    if (!dialog || response.status < 200 || response.status >= 300 || context.request.method !== 'INVITE') return;
    const local = this.env.localEndpoint(context.destination.transport as EngineTransport, context.destination.address);
    if (!local) return;
    const ack = completeInDialogRequest(new SipRequest('ACK', dialog.remoteTarget), local, {
      requestUri: dialog.remoteTarget, routeSet: dialog.routeSet, localUri: dialog.localUri, remoteUri: dialog.remoteUri,
      callId: dialog.callId, cseq: dialog.inviteSeq, contact: dialog.localContact, branch: this.stack.newBranch(),
    });
    this.stack.sendStateless(ack, context.destination);
    this.sendBye(dialog);
    this.dropDialog(dialog);
  }

  /** Send a BYE the engine originates (ACK timeout, app gone). Returns it, or undefined if it could not be built. */
  private sendBye(dialog: Dialog<AppSession>, reason?: string): SipRequest | undefined {
    const target = numericTarget(nextHopUri(dialog.remoteTarget, dialog.routeSet));
    if (!target) return undefined;
    const local = this.env.localEndpoint(target.transport, target.address);
    if (!local) return undefined;
    const partial = new SipRequest('BYE', dialog.remoteTarget);
    if (reason !== undefined) partial.headers.append('Reason', reason);
    const bye = completeInDialogRequest(partial, local, {
      requestUri: dialog.remoteTarget, routeSet: dialog.routeSet, localUri: dialog.localUri, remoteUri: dialog.remoteUri,
      callId: dialog.callId, cseq: dialog.nextLocalSeq(), contact: dialog.localContact, branch: this.stack.newBranch(),
    });
    const destination: Destination = { transport: target.transport, address: target.address, port: target.port };
    if (dialog.flow.connectionId !== undefined && dialog.flow.address === target.address) destination.connectionId = dialog.flow.connectionId;
    try {
      this.stack.sendRequest(bye, destination, IGNORE_RESPONSES);
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'could not send BYE');
      return undefined;
    }
    return bye;
  }

  private dropDialog(dialog: Dialog<AppSession>): void {
    const sessionTimer = this.sessionTimers.get(dialog);
    if (sessionTimer !== undefined) {
      this.clock.clearTimer(sessionTimer);
      this.sessionTimers.delete(dialog);
    }
    const accepted = this.awaitingAck.get(dialog);
    if (accepted) {
      accepted.retransmitter.stop();
      this.awaitingAck.delete(dialog);
      failHeld(accepted, 'dialog ended before the ACK');
    }
    this.sentAcks.delete(dialog);
    this.settling.end(dialog.id);
    this.dialogs.remove(dialog);
  }

  private cdr(event: CdrEvent, source: string, message: SipMessage, detail?: string): void {
    const apps = this.apps;
    if (!apps || !apps.wantsCdr(event)) return;
    apps.publishCdr(event, source, this.env.textOf(message), detail);
  }
}

const IGNORE_RESPONSES: ClientTransactionListener = { onResponse: () => undefined };

function failHeld(accepted: AcceptedInvite, reason: string): void {
  for (const held of accepted.held) if (!held.app.closed) held.app.replyNok(held.command.msgId, reason);
  accepted.held = [];
}

function sentMeta(destination: Destination, transactionId: string, dialogId: string): SipMessageMeta {
  return {
    source: 'application', protocol: destination.transport, address: destination.address, port: destination.port,
    time: stackTime(), transactionId, dialogId,
  };
}

/** A NOTIFY with Subscription-State: terminated ends a subscription dialog (RFC 6665 §4.1.3). */
function endsSubscription(request: SipRequest): boolean {
  return request.method === 'NOTIFY' && /^\s*terminated/i.test(request.headers.get('Subscription-State') ?? '');
}

/**
 * RAck numbers, tolerating trailing junk after the method as drachtio-server
 * (sofia) does: drachtio-srf's own uac-prack.xml sends `RAck: 1 1 INVITE INVITE`.
 */
function lenientRAck(value: string): { rseq: number; cseq: number } | undefined {
  const strict = parseRAck(value);
  if (strict) return strict;
  const match = /^\s*(\d{1,10})\s+(\d{1,10})\s+[A-Za-z]+/.exec(value);
  return match ? { rseq: Number(match[1]), cseq: Number(match[2]) } : undefined;
}

function requires100rel(message: SipRequest | SipResponse): boolean {
  for (const value of message.headers.getAll('Require')) {
    for (const option of splitHeaderList(value)) if (option.toLowerCase() === '100rel') return true;
  }
  return false;
}
