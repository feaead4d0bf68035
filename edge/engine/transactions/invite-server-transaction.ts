// INVITE server transaction: RFC 3261 §17.2.1 as corrected by RFC 6026 §7.1/§8.5
// (after a 2xx the transaction waits in Accepted for Timer L, absorbing
// retransmitted INVITEs, while the TU retransmits the 2xx through it).

import type { SipResponse } from '../messages/sip-message.js';
import type { TimerHandle } from '../timers/clock.js';
import { tagOf } from './header-fields.js';
import { responseTo } from './local-responses.js';
import { ServerTransactionBase, TransactionKind } from './transaction.js';
import { ownString } from '../messages/own-copy.js';

export enum InviteServerTransactionState {
  Proceeding = 'proceeding',
  Completed = 'completed',
  Confirmed = 'confirmed',
  Accepted = 'accepted',
  Terminated = 'terminated',
}

export class InviteServerTransaction extends ServerTransactionBase {
  readonly kind = TransactionKind.InviteServer;
  state = InviteServerTransactionState.Proceeding;
  /** The most recent provisional or final response sent, resent on INVITE retransmissions. */
  lastResponse: SipResponse | undefined = undefined;

  /** The To tags of the final response and of the INVITE, kept for matching once the messages are released. */
  private finalToTag: string | undefined;
  private inviteToTag: string | undefined;
  private released = false;
  private timerTrying: TimerHandle | undefined;
  private timerG: TimerHandle | undefined;
  private timerGInterval = 0;
  private timerH: TimerHandle | undefined;
  private timerI: TimerHandle | undefined;
  private timerL: TimerHandle | undefined;

  /**
   * Arm the automatic 100 Trying (§17.2.1): at once when `tryingDelay` is 0, after
   * `tryingDelay` ms unless the TU has sent a response by then, never if negative.
   */
  start(tryingDelay: number): void {
    if (tryingDelay === 0) this.sendTrying();
    else if (tryingDelay > 0) this.timerTrying = this.setTimer(tryingDelay, InviteServerTransaction.fireTimerTrying);
  }

  /**
   * Send a response from the TU. Returns false if the state does not allow it:
   * after a final response only further 2xx (RFC 6026 Accepted) are sent.
   */
  respond(response: SipResponse): boolean {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) return false;
    switch (this.state) {
      case InviteServerTransactionState.Proceeding:
        this.timerTrying = this.clearTimer(this.timerTrying);
        this.lastResponse = response;
        if (status < 200) {
          this.sendMessage(response);
        } else if (status < 300) {
          this.enterAccepted(response);
        } else {
          this.enterCompleted(response);
        }
        return true;
      case InviteServerTransactionState.Accepted:
        if (status < 200 || status >= 300) return false;
        this.sendMessage(response);
        return true;
      default:
        return false;
    }
  }

  /** A retransmission of the INVITE (same key). */
  receiveInvite(): void {
    switch (this.state) {
      case InviteServerTransactionState.Proceeding:
      case InviteServerTransactionState.Completed:
        if (this.lastResponse) this.sendMessage(this.lastResponse);
        return;
      default:
        // Accepted: RFC 6026 absorbs them (the TU retransmits the 2xx on its own schedule).
        // Confirmed: absorbed.
        return;
    }
  }

  /** An ACK matching this transaction; the layer passes ACKs in Accepted to the TU instead. */
  receiveAck(): void {
    if (this.state !== InviteServerTransactionState.Completed) return;
    this.timerG = this.clearTimer(this.timerG);
    this.timerH = this.clearTimer(this.timerH);
    this.state = InviteServerTransactionState.Confirmed;
    if (this.reliable) {
      // Timer I is zero on reliable transports.
      this.terminate();
    } else {
      this.timerI = this.setTimer(this.host.timers.timerI, InviteServerTransaction.fireTimerI);
    }
  }

  onTransportError(error: Error): void {
    switch (this.state) {
      case InviteServerTransactionState.Proceeding:
      case InviteServerTransactionState.Completed:
        this.terminate();
        this.reports.serverTransportError(this, error);
        return;
      case InviteServerTransactionState.Accepted:
        // RFC 6026: inform the TU and stay in Accepted; the TU owns the 2xx.
        this.reports.serverTransportError(this, error);
        return;
      default:
        return;
    }
  }

  dispose(): void {
    if (this.state === InviteServerTransactionState.Terminated) return;
    this.terminate();
  }

  /** The To tag of the last response sent, for RFC 2543 ACK matching (§17.2.3). */
  get responseToTag(): string | undefined {
    return this.finalToTag ?? tagOf(this.lastResponse?.headers.get('To'));
  }

  private sendTrying(): void {
    const trying = responseTo(this.request, 100, 'Trying');
    this.lastResponse = trying;
    this.sendMessage(trying);
  }

  private enterAccepted(response: SipResponse): void {
    this.state = InviteServerTransactionState.Accepted;
    this.timerL = this.setTimer(this.host.timers.timerL, InviteServerTransaction.fireTimerL);
    this.sendMessage(response);
    // RFC 6026: the TU retransmits the 2xx; Accepted only absorbs INVITEs for Timer L.
    this.lingerLight(undefined);
  }

  /** The To tag of the INVITE (RFC 2543 CANCEL and retransmission matching, §17.2.3). */
  get requestToTag(): string | undefined {
    return this.released ? this.inviteToTag : tagOf(this.request.headers.get('To'));
  }

  /** Keep only what lingering needs: the To tags and the final's wire bytes, not the parsed messages. */
  private lingerLight(resend: SipResponse | undefined): void {
    this.finalToTag = ownString(this.responseToTag);
    this.inviteToTag = ownString(this.requestToTag);
    this.released = true;
    this.lastResponse = resend === undefined ? undefined : this.compact(resend);
    this.releaseRequest();
  }

  private enterCompleted(response: SipResponse): void {
    this.state = InviteServerTransactionState.Completed;
    if (!this.reliable) {
      this.timerGInterval = this.host.timers.timerG;
      this.timerG = this.setTimer(this.timerGInterval, InviteServerTransaction.fireTimerG);
    }
    this.timerH = this.setTimer(this.host.timers.timerH, InviteServerTransaction.fireTimerH);
    this.sendMessage(response);
    if (this.state === InviteServerTransactionState.Completed) this.lingerLight(response);
  }

  private terminate(): void {
    this.timerTrying = this.clearTimer(this.timerTrying);
    this.timerG = this.clearTimer(this.timerG);
    this.timerH = this.clearTimer(this.timerH);
    this.timerI = this.clearTimer(this.timerI);
    this.timerL = this.clearTimer(this.timerL);
    this.state = InviteServerTransactionState.Terminated;
    this.finish();
  }

  private static fireTimerTrying(txn: InviteServerTransaction): void {
    txn.timerTrying = undefined;
    if (txn.state === InviteServerTransactionState.Proceeding && txn.lastResponse === undefined) txn.sendTrying();
  }

  /** Timer G: retransmit the final response, doubling up to T2 (§17.2.1). */
  private static fireTimerG(txn: InviteServerTransaction): void {
    txn.timerG = undefined;
    if (txn.state !== InviteServerTransactionState.Completed || !txn.lastResponse) return;
    txn.timerGInterval = Math.min(2 * txn.timerGInterval, txn.host.timers.t2);
    txn.timerG = txn.setTimer(txn.timerGInterval, InviteServerTransaction.fireTimerG);
    txn.sendMessage(txn.lastResponse);
  }

  /** Timer H: the ACK never came; a transaction failure for the TU. */
  private static fireTimerH(txn: InviteServerTransaction): void {
    txn.timerH = undefined;
    if (txn.state !== InviteServerTransactionState.Completed) return;
    txn.terminate();
    txn.reports.serverTimedOut(txn);
  }

  /** Timer I: stop absorbing ACK retransmissions. */
  private static fireTimerI(txn: InviteServerTransaction): void {
    txn.timerI = undefined;
    txn.terminate();
  }

  /** Timer L: stop absorbing INVITE retransmissions after a 2xx. */
  private static fireTimerL(txn: InviteServerTransaction): void {
    txn.timerL = undefined;
    txn.terminate();
  }
}
