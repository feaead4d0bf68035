// Non-INVITE client transaction: RFC 3261 §17.1.2.

import type { SipResponse } from '../messages/sip-message.js';
import type { TimerHandle } from '../timers/clock.js';
import { ClientTransactionBase, TransactionKind } from './transaction.js';

export enum NonInviteClientTransactionState {
  Trying = 'trying',
  Proceeding = 'proceeding',
  Completed = 'completed',
  Terminated = 'terminated',
}

export class NonInviteClientTransaction extends ClientTransactionBase {
  readonly kind = TransactionKind.NonInviteClient;
  state = NonInviteClientTransactionState.Trying;

  private timerE: TimerHandle | undefined;
  private timerEInterval = 0;
  private timerF: TimerHandle | undefined;
  private timerK: TimerHandle | undefined;

  /** Send the request and arm Timer E (unreliable only) and Timer F. */
  start(): void {
    if (!this.reliable) {
      this.timerEInterval = this.host.timers.timerE;
      this.timerE = this.setTimer(this.timerEInterval, NonInviteClientTransaction.fireTimerE);
    }
    this.timerF = this.setTimer(this.host.timers.timerF, NonInviteClientTransaction.fireTimerF);
    this.sendMessage(this.request);
  }

  receiveResponse(response: SipResponse): void {
    switch (this.state) {
      case NonInviteClientTransactionState.Trying:
      case NonInviteClientTransactionState.Proceeding:
        if (response.status < 200) {
          this.state = NonInviteClientTransactionState.Proceeding;
          this.listener?.onResponse(response, this);
        } else {
          // On reliable transports Completed ends at once and releases the listener.
          const listener = this.listener;
          this.enterCompleted();
          listener?.onResponse(response, this);
        }
        return;
      case NonInviteClientTransactionState.Completed:
      case NonInviteClientTransactionState.Terminated:
        // Retransmitted responses are absorbed.
        return;
    }
  }

  onTransportError(error: Error): void {
    if (
      this.state !== NonInviteClientTransactionState.Trying &&
      this.state !== NonInviteClientTransactionState.Proceeding
    ) {
      return;
    }
    const listener = this.listener;
    this.terminate();
    listener?.onTransportError?.(this, error);
  }

  dispose(): void {
    if (this.state === NonInviteClientTransactionState.Terminated) return;
    this.terminate();
  }

  private enterCompleted(): void {
    this.timerE = this.clearTimer(this.timerE);
    this.timerF = this.clearTimer(this.timerF);
    this.state = NonInviteClientTransactionState.Completed;
    if (this.reliable) {
      // Timer K is zero on reliable transports.
      this.terminate();
    } else {
      // Timer K only absorbs response retransmissions.
      this.releaseRequest();
      this.timerK = this.setTimer(this.host.timers.timerK, NonInviteClientTransaction.fireTimerK);
    }
  }

  private terminate(): void {
    this.timerE = this.clearTimer(this.timerE);
    this.timerF = this.clearTimer(this.timerF);
    this.timerK = this.clearTimer(this.timerK);
    this.state = NonInviteClientTransactionState.Terminated;
    this.finish();
    this.listener = undefined;
  }

  /**
   * Timer E: retransmit. In Trying the interval doubles up to T2; in Proceeding it
   * is T2 (§17.1.2.2).
   */
  private static fireTimerE(txn: NonInviteClientTransaction): void {
    txn.timerE = undefined;
    const { t2 } = txn.host.timers;
    if (txn.state === NonInviteClientTransactionState.Trying) {
      txn.timerEInterval = Math.min(2 * txn.timerEInterval, t2);
    } else if (txn.state === NonInviteClientTransactionState.Proceeding) {
      txn.timerEInterval = t2;
    } else {
      return;
    }
    txn.timerE = txn.setTimer(txn.timerEInterval, NonInviteClientTransaction.fireTimerE);
    txn.sendMessage(txn.request);
  }

  /** Timer F: no final response; the TU is told the transaction timed out. */
  private static fireTimerF(txn: NonInviteClientTransaction): void {
    txn.timerF = undefined;
    const listener = txn.listener;
    txn.terminate();
    listener?.onTimeout?.(txn);
  }

  /** Timer K: stop absorbing response retransmissions. */
  private static fireTimerK(txn: NonInviteClientTransaction): void {
    txn.timerK = undefined;
    txn.terminate();
  }
}
