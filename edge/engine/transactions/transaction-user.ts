// The boundary between the transaction layer and the transaction user above it
// (the UA core, the proxy and the drachtio control protocol).

import type { SipRequest, SipResponse } from '../messages/sip-message.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { MessageOrigin } from './transaction-transport.js';

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export interface TransactionUser {
  /**
   * A new request (not a retransmission, not an ACK, not a CANCEL that matched an
   * INVITE). The TU answers through `transaction.respond()`.
   */
  onRequest(request: SipRequest, transaction: ServerTransaction, origin: MessageOrigin): void;
  /**
   * A CANCEL matched an INVITE server transaction still in Proceeding. The layer has
   * already answered the CANCEL with 200; the TU sends 487 on `invite` (it knows the
   * To tag it gave out and has the downstream leg to cancel). Without this handler
   * the layer sends the 487 itself.
   */
  onCancel?(invite: InviteServerTransaction, cancel: SipRequest, origin: MessageOrigin): void;
  /** An ACK that is not part of a server transaction: the ACK for a 2xx (§13.3.1.4). */
  onAck2xx?(ack: SipRequest, origin: MessageOrigin): void;
  /**
   * A response matching no client transaction (e.g. a 2xx retransmitted after Timer M).
   * RFC 6026 §7.2 has UAs drop these; a proxy core may forward them. Dropped if unset.
   */
  onStrayResponse?(response: SipResponse, origin: MessageOrigin): void;
  /** Timer H fired: the ACK for a non-2xx final never arrived. */
  onTransactionTimeout(transaction: ServerTransaction): void;
  onTransportError(transaction: ServerTransaction, error: Error): void;
}
