// What RFC 3263 server location produces: where to send a request, and over what.

export type SipTransport = 'udp' | 'tcp' | 'tls';

export interface SipServerTarget {
  transport: SipTransport;
  /** A numeric IPv4 or IPv6 address (no brackets). */
  address: string;
  port: number;
}

/** RFC 3261 §19.1.2 default ports: 5061 for TLS, 5060 otherwise. */
export function defaultPortFor(transport: SipTransport): number {
  return transport === 'tls' ? 5061 : 5060;
}
