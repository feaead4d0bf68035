// Canonical forms of peer addresses, so a connection opened to "[::1]" and one
// accepted from "::ffff:127.0.0.1" land on the right keys in the connection table.
import { isIPv4, isIPv6 } from 'node:net';
import type { Transport } from './types.js';

/**
 * Strips [brackets] and zone-less IPv4-mapped prefixes (::ffff:1.2.3.4 -> 1.2.3.4),
 * lower-cases v6. Leaves anything else (host names) as is.
 */
export function normalizePeerAddress(address: string): string {
  let text = address;
  if (text.charCodeAt(0) === 91 /* [ */ && text.charCodeAt(text.length - 1) === 93 /* ] */) text = text.slice(1, -1);
  if (text.length > 7 && (text.charCodeAt(0) === 58 /* : */ || text.charCodeAt(0) === 48 /* 0 */)) {
    const lower = text.toLowerCase();
    if (lower.startsWith('::ffff:') && isIPv4(lower.slice(7))) return lower.slice(7);
    return lower;
  }
  return text.includes(':') ? text.toLowerCase() : text;
}

/** 4 or 6 for IP literals, 0 for anything else. Accepts [v6]. */
export function addressFamily(address: string): 0 | 4 | 6 {
  const text = normalizePeerAddress(address);
  if (isIPv4(text)) return 4;
  if (isIPv6(text)) return 6;
  return 0;
}

/** The connection-table key of a remote flow (RFC 3261 §18: reuse by transport, address and port). */
export function connectionKey(transport: Transport, address: string, port: number): string {
  return `${transport}|${normalizePeerAddress(address)}|${port}`;
}
