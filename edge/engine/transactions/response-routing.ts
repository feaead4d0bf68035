// RFC 3261 §18.2.1 (received), RFC 3581 (rport) and §18.2.2 (where a response
// goes). Pure functions over the request's top Via and the receive origin.

import type { SipRequest } from '../messages/sip-message.js';
import { splitFirstVia, type TopVia } from './header-fields.js';
import type { Destination, MessageOrigin } from './transaction-transport.js';

function defaultPort(transport: string): number {
  return transport === 'tls' || transport === 'wss' ? 5061 : 5060;
}

/** Strip IPv6 brackets so a sent-by host compares with a socket address. */
function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Add `received` when the sent-by host differs from the packet source (§18.2.1)
 * or when rport was asked for, and fill in an empty `rport` with the source port
 * (RFC 3581 §4). Idempotent: parameters already present are left alone, so the
 * transport may do this first. Returns the updated top Via.
 */
export function stampReceived(request: SipRequest, via: TopVia, origin: MessageOrigin): TopVia {
  const needsReceived =
    via.received === undefined &&
    (via.rport === null || bareHost(via.host) !== origin.remoteAddress.toLowerCase());
  const needsRport = via.rport === null;
  if (!needsReceived && !needsRport) return via;

  let parm = via.raw;
  if (needsRport) parm = parm.replace(/;\s*rport\s*(=\s*)?(?=;|$)/i, `;rport=${origin.remotePort}`);
  if (needsReceived) parm = `${parm};received=${origin.remoteAddress}`;

  const line = request.headers.get('Via') ?? '';
  const { rest } = splitFirstVia(line);
  request.headers.removeFirst('Via');
  request.headers.prepend('Via', rest === undefined ? parm : `${parm}, ${rest}`);
  return {
    ...via,
    raw: parm,
    received: needsReceived ? origin.remoteAddress : via.received,
    rport: needsRport ? origin.remotePort : via.rport,
  };
}

/**
 * Where responses to a request go (§18.2.2 with RFC 3581):
 * - reliable transports: back on the connection the request came in on; if it has
 *   closed, the transport opens one to the source address and the sent-by port;
 * - maddr: to that address and the sent-by port;
 * - otherwise to the source address, on the source port if rport was present,
 *   else on the sent-by port (default 5060, 5061 for TLS).
 */
export function responseDestination(via: TopVia, origin: MessageOrigin, reliable: boolean): Destination {
  const sentByPort = via.port ?? defaultPort(via.transport);
  if (reliable) {
    // With a connection id the address/port are the fallback if that connection
    // has closed (§18.2.2: source address, sent-by port); without one, the
    // connection's own remote end is the only way to find it.
    if (origin.connectionId === undefined) {
      return { transport: origin.transport, address: origin.remoteAddress, port: origin.remotePort };
    }
    return {
      transport: origin.transport,
      address: origin.remoteAddress,
      port: sentByPort,
      connectionId: origin.connectionId,
    };
  }
  if (via.maddr !== undefined) {
    return { transport: origin.transport, address: via.maddr, port: sentByPort };
  }
  const port = via.rport !== undefined ? origin.remotePort : sentByPort;
  return { transport: origin.transport, address: origin.remoteAddress, port };
}
