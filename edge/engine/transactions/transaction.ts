// What the four RFC 3261 §17 state machines share: identity, the request that
// created them, where their messages go, the clock and timer values, and the
// hand-back to the layer when they terminate.

import { SipRequest, type SipResponse } from '../messages/sip-message.js';
import type { Clock, TimerCallback, TimerHandle } from '../timers/clock.js';
import type { TimerValues } from '../timers/timer-values.js';
import type { Destination, MessageOrigin, TransactionTransport, TransportErrorSink } from './transaction-transport.js';

export enum TransactionKind {
  InviteClient = 'invite-client',
  NonInviteClient = 'non-invite-client',
  InviteServer = 'invite-server',
  NonInviteServer = 'non-invite-server',
}

/** What a transaction needs from the layer that owns it; one shared object per layer. */
export interface TransactionHost {
  readonly clock: Clock;
  readonly timers: TimerValues;
  readonly transport: TransactionTransport;
  /** Called exactly once, when the transaction enters Terminated. */
  transactionTerminated(transaction: Transaction): void;
}

export abstract class Transaction implements TransportErrorSink {
  abstract readonly kind: TransactionKind;
  abstract readonly state: string;
  /** Optional hook for the TU: called once when the transaction terminates. */
  onTerminated: ((transaction: Transaction) => void) | undefined = undefined;
  /** Matching keys the layer filed this transaction under (set by the layer). */
  key = '';
  secondaryKey: string | undefined = undefined;
  /** From tag, Call-ID and CSeq of a server transaction outside a dialog (merged-request check). */
  mergeKey: string | undefined = undefined;

  private currentRequest: SipRequest;

  protected constructor(
    protected readonly host: TransactionHost,
    /** Unique id of the transaction (the matching key). */
    readonly id: string,
    request: SipRequest,
    /** Where requests (client) or responses (server) are sent. */
    readonly destination: Destination,
    /** Reliable transports get no retransmissions and zero-length wait timers. */
    readonly reliable: boolean,
  ) {
    this.currentRequest = request;
  }

  /**
   * The request that created the transaction. Once the transaction only absorbs
   * retransmissions (Completed, Accepted, Confirmed) it is a bare stand-in with the
   * method alone: nothing reads more of it then, and the parsed message can be freed.
   */
  get request(): SipRequest {
    return this.currentRequest;
  }

  get terminated(): boolean {
    return this.state === 'terminated';
  }

  abstract onTransportError(error: Error): void;

  /** Stop every timer and release the transaction; idempotent. */
  abstract dispose(): void;

  /** Drop the parsed request (see `request`); matching uses the keys the layer filed. */
  protected releaseRequest(): void {
    // An empty URI: a substring of the message text would keep the whole text alive.
    this.currentRequest = new SipRequest(this.currentRequest.method, '');
  }

  /** What to keep of a message that may be resent while lingering: its wire bytes when the transport can. */
  protected compact<M extends SipRequest | SipResponse>(message: M): M {
    return this.host.transport.compact ? this.host.transport.compact(message) : message;
  }

  protected sendMessage(message: SipRequest | SipResponse): void {
    try {
      this.host.transport.send(message, this.destination, this);
    } catch (error) {
      this.onTransportError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  protected setTimer<T extends Transaction>(this: T, ms: number, fire: TimerCallback<T>): TimerHandle {
    return this.host.clock.setTimer(ms, fire, this);
  }

  protected clearTimer(handle: TimerHandle | undefined): undefined {
    if (handle !== undefined) this.host.clock.clearTimer(handle);
    return undefined;
  }

  /** Common tail of every transition to Terminated. */
  protected finish(): void {
    this.host.transactionTerminated(this);
    const hook = this.onTerminated;
    this.onTerminated = undefined;
    hook?.(this);
  }
}

/** Reports from a client transaction to whoever started it (the TU, per request). */
export interface ClientTransactionListener {
  /** Responses the TU must see: provisionals, the final, and in Accepted every further 2xx. */
  onResponse(response: SipResponse, transaction: Transaction): void;
  /** Timer B or F fired with no final response (or Timer C, see the INVITE client). */
  onTimeout?(transaction: Transaction): void;
  onTransportError?(transaction: Transaction, error: Error): void;
}

/** The two client state machines: they send a request and report to a listener. */
export abstract class ClientTransactionBase extends Transaction {
  constructor(
    host: TransactionHost,
    id: string,
    request: SipRequest,
    destination: Destination,
    reliable: boolean,
    /** Released (set to undefined) on termination. */
    protected listener: ClientTransactionListener | undefined,
  ) {
    super(host, id, request, destination, reliable);
  }

  /** Send the request and arm the state machine's first timers. */
  abstract start(): void;
  abstract receiveResponse(response: SipResponse): void;
}

/** What server transactions report to the TU, through the layer. */
export interface ServerTransactionReports {
  serverTimedOut(transaction: Transaction): void;
  serverTransportError(transaction: Transaction, error: Error): void;
}

/** The two server state machines: created by a received request, answered by the TU. */
export abstract class ServerTransactionBase extends Transaction {
  constructor(
    host: TransactionHost,
    id: string,
    request: SipRequest,
    destination: Destination,
    reliable: boolean,
    /** Where the request came from (listener, connection), for the TU. */
    readonly origin: MessageOrigin,
    protected readonly reports: ServerTransactionReports,
  ) {
    super(host, id, request, destination, reliable);
    this.createdAt = host.clock.now();
  }

  /** Clock time the request arrived (for the layer's abandoned-request sweep). */
  readonly createdAt: number;

  /** Send a response from the TU; false when the state does not allow it. */
  abstract respond(response: SipResponse): boolean;
}
