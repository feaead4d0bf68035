// One target of a proxied request (RFC 3261 §16.6 "branch") and its state. A branch
// may make several attempts: RFC 3263 §4.3 moves on to the next resolved
// destination after a transport error, a timeout or a 503.

import type { SipRequest, SipResponse } from '../messages/sip-message.js';
import type { SipServerTarget } from '../dns/sip-server-target.js';
import type { TimerHandle } from '../timers/clock.js';
import type { ProxyClientTransaction } from './proxy-ports.js';

export enum BranchState {
  /** Waiting its turn (serial forking). */
  Pending = 'pending',
  /** Target URI being resolved through DNS. */
  Resolving = 'resolving',
  /** Request sent, nothing heard yet. */
  Calling = 'calling',
  /** A provisional response arrived. */
  Proceeding = 'proceeding',
  /** CANCEL requested; waiting for the final response (487). */
  Cancelling = 'cancelling',
  /** A final response arrived or was synthesized; later non-2xx responses are ignored. */
  Completed = 'completed',
}

export class ProxyBranch {
  state = BranchState.Pending;
  /** Forwarded copy without Via/Record-Route; each attempt stamps its own. */
  prepared: SipRequest | undefined = undefined;
  destinations: SipServerTarget[] = [];
  /** Index of the next destination to try. */
  nextDestination = 0;
  /** The destination of the current attempt. */
  destination: SipServerTarget | undefined = undefined;
  transaction: ProxyClientTransaction | undefined = undefined;
  /** Bumped per attempt so reports from an abandoned attempt are recognised and dropped. */
  attempt = 0;
  /** Why the last attempt failed without a response, for the synthesized status. */
  lastFailure: 'timeout' | 'transport' | undefined = undefined;
  /** The final response that completed the branch (real or synthesized). */
  finalResponse: SipResponse | undefined = undefined;
  /** A 2xx arrived on this branch (reported once; retransmissions are only forwarded). */
  answered = false;
  provisionalTimer: TimerHandle | undefined = undefined;
  finalTimer: TimerHandle | undefined = undefined;
  timerC: TimerHandle | undefined = undefined;

  constructor(
    readonly index: number,
    /** The target URI (the Request-URI of the forwarded request); undefined keeps the request's own. */
    readonly target: string | undefined,
  ) {}

  /** Started and not yet completed. */
  get active(): boolean {
    return (
      this.state === BranchState.Resolving ||
      this.state === BranchState.Calling ||
      this.state === BranchState.Proceeding ||
      this.state === BranchState.Cancelling
    );
  }
}
