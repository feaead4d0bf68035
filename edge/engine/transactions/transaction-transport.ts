// The boundary between the transaction layer and the transports below it
// (edge/engine/transport/): the layer sends SipMessages and learns whether a
// transport is reliable; serialising and socket handling are the transport's.

import type { SipRequest, SipResponse } from '../messages/sip-message.js';
import type { MessageOrigin, SendTarget, Transport } from '../transport/types.js';

/** 'udp' | 'tcp' | 'tls', as the transport layer names them. */
export type TransportProtocol = Transport;

/**
 * Where to send a message: the transport layer's SendTarget. With `connectionId`
 * set (responses on TCP/TLS, RFC 3261 §18.2.2) that connection is used while it is
 * open; address and port are where to connect if it has closed.
 */
export type Destination = SendTarget;

/** Where a received message came from, as reported by the transport. */
export type { MessageOrigin };

/** Receives asynchronous send failures (connection refused, reset, TLS failure). */
export interface TransportErrorSink {
  onTransportError(error: Error): void;
}

export interface TransactionTransport {
  /**
   * Serialise and send. Failures known at once may be thrown; failures found
   * later (a TCP connect that is refused) are reported to `errors` if given.
   */
  send(message: SipRequest | SipResponse, target: Destination, errors?: TransportErrorSink): void;
  /** True for TCP and TLS: no retransmissions and zero-length wait timers. */
  isReliable(transport: TransportProtocol): boolean;
  /**
   * Optional: a stand-in for `message` that `send` puts on the wire as the same bytes but
   * that holds only those bytes (and the start line), so a transaction lingering in
   * Completed/Accepted/Confirmed for up to 32 s keeps no parsed message. Without it the
   * transaction keeps the message itself.
   */
  compact?<M extends SipRequest | SipResponse>(message: M): M;
}

/** The usual answer to isReliable, for transports that need nothing special. */
export function isReliableProtocol(transport: TransportProtocol): boolean {
  return transport !== 'udp';
}
