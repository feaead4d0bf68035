// §16.11 / §18.2.1: a response that matches no client transaction (typically a 2xx
// retransmission after the transaction ended) is forwarded statelessly when the top
// Via is ours: drop that Via and send to the next one's received/rport/sent-by.

import { parseTopVia } from '../messages/headers/via.js';
import { SipResponse } from '../messages/sip-message.js';
import { defaultPortFor, type SipServerTarget, type SipTransport } from '../dns/sip-server-target.js';
import type { ProxyLocalAddress } from './local-address.js';
import { popTopVia } from './top-via.js';

export interface StatelessResponseForward {
  response: SipResponse;
  destination: SipServerTarget;
}

function viaTransport(transport: string): SipTransport | undefined {
  const lower = transport.toLowerCase();
  return lower === 'udp' || lower === 'tcp' || lower === 'tls' ? lower : undefined;
}

function bare(host: string): string {
  return host.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Undefined when the top Via is not ours or there is no valid Via to send to. */
export function strayResponseForward(
  response: SipResponse,
  locals: readonly ProxyLocalAddress[],
): StatelessResponseForward | undefined {
  const top = parseTopVia(response.headers.get('Via') ?? '');
  if (!top) return undefined;
  const topTransport = viaTransport(top.transport);
  const topPort = top.port ?? (topTransport ? defaultPortFor(topTransport) : 5060);
  const ours = locals.some((local) => bare(local.host) === bare(top.host) && local.port === topPort);
  if (!ours) return undefined;

  const headers = response.headers.clone();
  popTopVia(headers);
  const next = parseTopVia(headers.get('Via') ?? '');
  if (!next) return undefined;
  const transport = viaTransport(next.transport);
  if (!transport) return undefined;
  const address = bare(next.received ?? next.host);
  const port = typeof next.rport === 'number' ? next.rport : (next.port ?? defaultPortFor(transport));
  return {
    response: new SipResponse(response.status, response.reason, headers, response.body, response.version),
    destination: { transport, address, port },
  };
}
