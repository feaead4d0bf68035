// The parts of a SIP/SIPS URI that RFC 3263 server location looks at:
// scheme, host (or maddr), port and the transport parameter.

import { isIP } from 'node:net';

export interface UriLocation {
  secure: boolean;
  /** Host without brackets; maddr when present (RFC 3263 §4.1 uses maddr first). */
  host: string;
  port: number | undefined;
  /** Lower-cased value of ;transport=, if present. */
  transportParam: string | undefined;
  /** True when the host is an IPv4 or IPv6 literal. */
  numeric: boolean;
}

/**
 * Read the location fields of a sip:/sips: URI (name-addr brackets allowed).
 * Returns undefined for other schemes or malformed hosts/ports.
 */
export function parseUriLocation(uri: string): UriLocation | undefined {
  let text = uri.trim();
  const open = text.indexOf('<');
  if (open !== -1) {
    const close = text.indexOf('>', open);
    if (close === -1) return undefined;
    text = text.slice(open + 1, close);
  }
  const colon = text.indexOf(':');
  if (colon === -1) return undefined;
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips') return undefined;
  let rest = text.slice(colon + 1);
  const question = rest.indexOf('?');
  if (question !== -1) rest = rest.slice(0, question);
  // The user part may contain ';' and ':' (password), so strip it before splitting params.
  const at = rest.lastIndexOf('@');
  if (at !== -1) rest = rest.slice(at + 1);
  const [hostPort = '', ...paramParts] = rest.split(';');

  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end === -1) return undefined;
    host = hostPort.slice(1, end);
    const after = hostPort.slice(end + 1);
    if (after !== '' && !after.startsWith(':')) return undefined;
    portText = after === '' ? undefined : after.slice(1);
    if (isIP(host) !== 6) return undefined;
  } else {
    const portColon = hostPort.indexOf(':');
    host = portColon === -1 ? hostPort : hostPort.slice(0, portColon);
    portText = portColon === -1 ? undefined : hostPort.slice(portColon + 1);
  }
  if (host === '' || !/^[A-Za-z0-9.\-:_]+$/.test(host)) return undefined;

  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port < 1 || port > 65535) return undefined;
  }

  const params = new Map<string, string>();
  for (const part of paramParts) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name) params.set(name, eq === -1 ? '' : part.slice(eq + 1).trim());
  }
  const maddr = params.get('maddr');
  if (maddr) host = maddr.replace(/^\[|\]$/g, '');
  const transportParam = params.get('transport')?.toLowerCase() || undefined;

  return { secure: scheme === 'sips', host, port, transportParam, numeric: isIP(host) !== 0 };
}
