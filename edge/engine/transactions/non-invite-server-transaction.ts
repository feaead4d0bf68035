// Non-INVITE server transaction: RFC 3261 §17.2.2.

import type { SipResponse } from '../messages/sip-message.js';
import type { TimerHandle } from '../timers/clock.js';
import { ServerTransactionBase, TransactionKind } from './transaction.js';

export enum NonInviteServerTransactionState {
  Trying = 'trying',
  Proceeding = 'proceeding',
  Completed = 'completed',
  Terminated = 'terminated',
}

export class NonInviteServerTransaction extends ServerTransactionBase {
  readonly kind = TransactionKind.NonInviteServer;
  state = NonInviteServerTransactionState.Trying;
  /** The most recent response sent, resent when the request is retransmitted. */
  lastResponse: SipResponse | undefined = undefined;

  private timerJ: TimerHandle | undefined;

  /** Send a response from the TU. Returns false once a final response has been sent. */
  respond(response: SipResponse): boolean {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) return false;
    if (
      this.state !== NonInviteServerTransactionState.Trying &&
      this.state !== NonInviteServerTransactionState.Proceeding
    ) {
      return false;
    }
    this.lastResponse = response;
    if (status < 200) {
      this.state = NonInviteServerTransactionState.Proceeding;
      this.sendMessage(response);
      return true;
    }
    this.state = NonInviteServerTransactionState.Completed;
    this.sendMessage(response);
    if (this.state !== NonInviteServerTransactionState.Completed) return true; // send failed, terminated
    if (this.reliable) {
      // Timer J is zero on reliable transports.
      this.terminate();
    } else {
      // For Timer J only the response's bytes are resent; the parsed messages can go.
      this.lastResponse = this.compact(response);
      this.releaseRequest();
      this.timerJ = this.setTimer(this.host.timers.timerJ, NonInviteServerTransaction.fireTimerJ);
    }
    return true;
  }

  /** A retransmission of the request: silence in Trying, else the last response again. */
  receiveRequest(): void {
    if (
      this.state === NonInviteServerTransactionState.Proceeding ||
      this.state === NonInviteServerTransactionState.Completed
    ) {
      if (this.lastResponse) this.sendMessage(this.lastResponse);
    }
  }

  onTransportError(error: Error): void {
    if (this.state === NonInviteServerTransactionState.Terminated) return;
    this.terminate();
    this.reports.serverTransportError(this, error);
  }

  dispose(): void {
    if (this.state === NonInviteServerTransactionState.Terminated) return;
    this.terminate();
  }

  private terminate(): void {
    this.timerJ = this.clearTimer(this.timerJ);
    this.state = NonInviteServerTransactionState.Terminated;
    this.finish();
  }

  /** Timer J: stop absorbing request retransmissions. */
  private static fireTimerJ(txn: NonInviteServerTransaction): void {
    txn.timerJ = undefined;
    txn.terminate();
  }
}
