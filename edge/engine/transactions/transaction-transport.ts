// The boundary between the transaction layer and the transports below it
// (edge/engine/transport/). Declared here structurally so the layer does not
// depend on how sockets are implemented; the transport module's own types
// satisfy these interfaces.

import type { SipRequest, SipResponse } from '../messages/sip-message.js';

/** Transport protocol names as they appear in a Via sent-protocol, lower-cased. */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss' | (string & {});

/** Where to send a message: an address, or an existing connection when connectionId is set. */
export interface Destination {
  transport: TransportProtocol;
  address: string;
  port: number;
  /**
   * Reuse this connection if it is still open (responses on TCP/TLS, RFC 3261 §18.2.2);
   * address and port are then where to connect if it has closed.
   */
  connectionId?: string;
}

/** Where a received message came from, as reported by the transport. */
export interface MessageOrigin {
  transport: TransportProtocol;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  listenerName: string;
  connectionId?: string;
}

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
  /** True for TCP, TLS, WS, WSS: no retransmissions and zero-length wait timers. */
  isReliable(transport: TransportProtocol): boolean;
}

/** The usual answer to isReliable, for transports that need nothing special. */
export function isReliableProtocol(transport: TransportProtocol): boolean {
  return transport.toLowerCase() !== 'udp';
}
