// The proxy's own addresses: what it writes into Via and Record-Route, and how it
// recognises its own URIs when requests come back through a record-routed dialog.

import { parseSipUri } from '../messages/headers/sip-uri.js';
import { defaultPortFor, type SipTransport } from '../dns/sip-server-target.js';

/** One listener as the proxy advertises it (the public address when one is configured). */
export interface ProxyLocalAddress {
  transport: SipTransport;
  /** Host or address written into Via sent-by and Record-Route (no brackets for IPv6). */
  host: string;
  port: number;
  /** Other names of this listener (bind address, DNS names) that identify our own URIs. */
  aliases?: string[];
}

function bareHost(host: string): string {
  return host.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Host as it must appear in a URI or Via: IPv6 references take brackets. */
export function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function uriTransport(scheme: string, params: Map<string, string | null>): SipTransport {
  const transport = params.get('transport')?.toLowerCase();
  if (scheme === 'sips' || transport === 'tls') return 'tls';
  return transport === 'tcp' ? 'tcp' : 'udp';
}

/** True when the sip:/sips: URI names one of our listeners (host and effective port). */
export function isOwnUri(uri: string, locals: readonly ProxyLocalAddress[]): boolean {
  const parsed = parseSipUri(uri.trim());
  if (!parsed || parsed.scheme === 'tel') return false;
  const host = bareHost(parsed.host);
  const port = parsed.port ?? defaultPortFor(uriTransport(parsed.scheme, parsed.params));
  return locals.some(
    (local) => local.port === port && (bareHost(local.host) === host || (local.aliases ?? []).some((alias) => bareHost(alias) === host)),
  );
}

/** Our Record-Route entry for a listener: loose routing (;lr), transport explicit for non-UDP. */
export function recordRouteValue(local: ProxyLocalAddress): string {
  const transport = local.transport === 'udp' ? '' : `;transport=${local.transport}`;
  return `<sip:${uriHost(local.host)}:${local.port}${transport};lr>`;
}
