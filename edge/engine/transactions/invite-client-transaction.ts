// INVITE client transaction: RFC 3261 §17.1.1 as corrected by RFC 6026 §8.4
// (the Accepted state and Timer M, so 2xx responses from every fork reach the TU).

import type { SipRequest, SipResponse } from '../messages/sip-message.js';
import type { TimerHandle } from '../timers/clock.js';
import { ackForNon2xx } from './local-responses.js';
import { ClientTransactionBase, TransactionKind } from './transaction.js';

export enum InviteClientTransactionState {
  Calling = 'calling',
  Proceeding = 'proceeding',
  Completed = 'completed',
  Accepted = 'accepted',
  Terminated = 'terminated',
}

export class InviteClientTransaction extends ClientTransactionBase {
  readonly kind = TransactionKind.InviteClient;
  state = InviteClientTransactionState.Calling;
  /** The ACK sent for a non-2xx final response, resent on each retransmission of it. */
  ack: SipRequest | undefined = undefined;
  /** Run once when the first provisional arrives: a CANCEL waiting for it (§9.1). */
  onFirstProvisional: (() => void) | undefined = undefined;
  /** Set by layer.cancel(): a CANCEL has been sent or is waiting, so a second one is not. */
  cancelRequested = false;

  private timerA: TimerHandle | undefined;
  private timerAInterval = 0;
  private timerB: TimerHandle | undefined;
  private timerC: TimerHandle | undefined;
  private timerCExpired = false;
  private timerD: TimerHandle | undefined;
  private timerM: TimerHandle | undefined;

  /** Send the INVITE and arm Timer A (unreliable only) and Timer B. */
  start(): void {
    if (!this.reliable) {
      this.timerAInterval = this.host.timers.timerA;
      this.timerA = this.setTimer(this.timerAInterval, InviteClientTransaction.fireTimerA);
    }
    this.timerB = this.setTimer(this.host.timers.timerB, InviteClientTransaction.fireTimerB);
    this.sendMessage(this.request);
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case InviteClientTransactionState.Calling:
      case InviteClientTransactionState.Proceeding:
        if (status < 200) {
          const first = this.state === InviteClientTransactionState.Calling;
          this.enterProceeding();
          this.listener?.onResponse(response, this);
          if (first && this.onFirstProvisional) {
            const pending = this.onFirstProvisional;
            this.onFirstProvisional = undefined;
            pending();
          }
        } else if (status < 300) {
          this.enterAccepted();
          this.listener?.onResponse(response, this);
        } else {
          // On reliable transports Completed ends at once and releases the listener.
          const listener = this.listener;
          this.enterCompleted(response);
          listener?.onResponse(response, this);
        }
        return;
      case InviteClientTransactionState.Completed:
        // A retransmitted final response: ACK it again; the TU has already seen it.
        if (status >= 300 && this.ack) this.sendMessage(this.ack);
        return;
      case InviteClientTransactionState.Accepted:
        // RFC 6026: every 2xx (retransmissions, other forks) goes to the TU, which ACKs it.
        if (status >= 200 && status < 300) this.listener?.onResponse(response, this);
        return;
      case InviteClientTransactionState.Terminated:
        return;
    }
  }

  onTransportError(error: Error): void {
    if (this.state === InviteClientTransactionState.Terminated) return;
    // Once Accepted or Completed the TU already has its final response; a failed
    // ACK retransmission is not worth reporting.
    const report =
      this.state === InviteClientTransactionState.Calling || this.state === InviteClientTransactionState.Proceeding;
    const listener = this.listener;
    this.terminate();
    if (report) listener?.onTransportError?.(this, error);
  }

  dispose(): void {
    if (this.state === InviteClientTransactionState.Terminated) return;
    this.terminate();
  }

  private enterProceeding(): void {
    this.timerA = this.clearTimer(this.timerA);
    // Timer B guards Calling only (§17.1.1.2). Proceeding has no RFC timeout, so a
    // peer that sends 100 and nothing else would pin the transaction forever; Timer C
    // (§16.6, reset by each provisional like a proxy does) bounds it.
    this.timerB = this.clearTimer(this.timerB);
    this.state = InviteClientTransactionState.Proceeding;
    if (!this.timerCExpired) {
      this.clearTimer(this.timerC);
      this.timerC = this.setTimer(this.host.timers.timerC, InviteClientTransaction.fireTimerC);
    }
  }

  private enterAccepted(): void {
    this.timerA = this.clearTimer(this.timerA);
    this.timerB = this.clearTimer(this.timerB);
    this.timerC = this.clearTimer(this.timerC);
    this.state = InviteClientTransactionState.Accepted;
    this.timerM = this.setTimer(this.host.timers.timerM, InviteClientTransaction.fireTimerM);
    this.releaseRequest();
  }

  private enterCompleted(response: SipResponse): void {
    this.timerA = this.clearTimer(this.timerA);
    this.timerB = this.clearTimer(this.timerB);
    this.timerC = this.clearTimer(this.timerC);
    this.state = InviteClientTransactionState.Completed;
    this.ack = ackForNon2xx(this.request, response);
    this.sendMessage(this.ack);
    if (this.state !== InviteClientTransactionState.Completed) return; // the ACK failed to send
    if (this.reliable) {
      // Timer D is zero on reliable transports: there are no retransmissions to absorb.
      this.terminate();
    } else {
      // For Timer D only the ACK's bytes are resent.
      this.ack = this.compact(this.ack);
      this.releaseRequest();
      this.timerD = this.setTimer(this.host.timers.timerD, InviteClientTransaction.fireTimerD);
    }
  }

  private terminate(): void {
    this.timerA = this.clearTimer(this.timerA);
    this.timerB = this.clearTimer(this.timerB);
    this.timerC = this.clearTimer(this.timerC);
    this.timerD = this.clearTimer(this.timerD);
    this.timerM = this.clearTimer(this.timerM);
    this.state = InviteClientTransactionState.Terminated;
    this.onFirstProvisional = undefined;
    this.finish();
    this.listener = undefined;
  }

  /** Timer A: retransmit the INVITE and double the interval (no T2 cap for INVITE). */
  private static fireTimerA(txn: InviteClientTransaction): void {
    txn.timerA = undefined;
    if (txn.state !== InviteClientTransactionState.Calling) return;
    txn.timerAInterval *= 2;
    txn.timerA = txn.setTimer(txn.timerAInterval, InviteClientTransaction.fireTimerA);
    txn.sendMessage(txn.request);
  }

  /** Timer B: no response while Calling; tell the TU the transaction timed out. */
  private static fireTimerB(txn: InviteClientTransaction): void {
    txn.timerB = undefined;
    if (txn.state !== InviteClientTransactionState.Calling) return;
    const listener = txn.listener;
    txn.terminate();
    listener?.onTimeout?.(txn);
  }

  /**
   * Timer C: no final response long after the last provisional. The first expiry
   * reports a timeout so the TU can CANCEL (the transaction stays, to ACK the 487);
   * the second, 64*T1 later, gives up silently.
   */
  private static fireTimerC(txn: InviteClientTransaction): void {
    txn.timerC = undefined;
    if (txn.state !== InviteClientTransactionState.Proceeding) return;
    if (txn.timerCExpired) {
      txn.terminate();
      return;
    }
    txn.timerCExpired = true;
    txn.timerC = txn.setTimer(txn.host.timers.timerB, InviteClientTransaction.fireTimerC);
    txn.listener?.onTimeout?.(txn);
  }

  /** Timer D: stop absorbing retransmitted non-2xx finals. */
  private static fireTimerD(txn: InviteClientTransaction): void {
    txn.timerD = undefined;
    txn.terminate();
  }

  /** Timer M: stop forwarding further 2xx responses. */
  private static fireTimerM(txn: InviteClientTransaction): void {
    txn.timerM = undefined;
    txn.terminate();
  }
}
