// The few header fields the transaction layer reads: the top Via, CSeq and the
// From/To tags. Minimal, allocation-light parsing of exactly what §17 matching
// and §18.2 response routing need. The full grammar lives in ../messages/headers/;
// this module stays small so the hot path (every message) reads only what it uses.

import type { SipHeaders } from '../messages/sip-message.js';

export const MAGIC_COOKIE = 'z9hG4bK';

export interface TopVia {
  /** The whole first via-parm, trimmed (used by the RFC 2543 matching key). */
  raw: string;
  /** Lower-cased transport from the sent-protocol, e.g. 'udp'. */
  transport: string;
  /** sent-by host, lower-cased, IPv6 kept in brackets. */
  host: string;
  port: number | undefined;
  branch: string | undefined;
  received: string | undefined;
  /** undefined: no rport; null: rport without a value; number: filled-in value. */
  rport: number | null | undefined;
  maddr: string | undefined;
}

export interface CSeqField {
  seq: number;
  method: string;
}

/** Index of the first comma outside quotes and angle brackets, or -1. */
function firstSeparator(value: string): number {
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++; // backslash escape
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    else if (c === 0x2c && !angle) return i;
  }
  return -1;
}

/** Split the first Via line into its first via-parm and the rest (for comma-joined Via lines). */
export function splitFirstVia(line: string): { first: string; rest: string | undefined } {
  const comma = firstSeparator(line);
  if (comma === -1) return { first: line.trim(), rest: undefined };
  const rest = line.slice(comma + 1).trim();
  return { first: line.slice(0, comma).trim(), rest: rest.length > 0 ? rest : undefined };
}

/** Parse one via-parm: `SIP/2.0/UDP host:port;param=value;...`. Undefined if malformed. */
export function parseViaParm(parm: string): TopVia | undefined {
  const match = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9.!%*_+`'~-]+)\s+([^;\s]+)\s*(;.*)?$/is.exec(parm);
  if (!match) return undefined;
  const transport = match[1]!.toLowerCase();
  const sentBy = match[2]!;
  let host: string;
  let portText: string | undefined;
  if (sentBy.startsWith('[')) {
    const close = sentBy.indexOf(']');
    if (close === -1) return undefined;
    host = sentBy.slice(0, close + 1).toLowerCase();
    const after = sentBy.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) return undefined;
      portText = after.slice(1);
    }
  } else {
    const colon = sentBy.indexOf(':');
    host = (colon === -1 ? sentBy : sentBy.slice(0, colon)).toLowerCase();
    portText = colon === -1 ? undefined : sentBy.slice(colon + 1);
  }
  if (host.length === 0) return undefined;
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port === 0 || port > 65535) return undefined;
  }
  const via: TopVia = {
    raw: parm,
    transport,
    host,
    port,
    branch: undefined,
    received: undefined,
    rport: undefined,
    maddr: undefined,
  };
  const params = match[3];
  if (params) {
    for (const param of params.split(';')) {
      const eq = param.indexOf('=');
      const name = (eq === -1 ? param : param.slice(0, eq)).trim().toLowerCase();
      const value = eq === -1 ? undefined : param.slice(eq + 1).trim();
      if (name === 'branch') via.branch = value;
      else if (name === 'received') via.received = value;
      else if (name === 'maddr') via.maddr = value;
      else if (name === 'rport') {
        via.rport = value === undefined || value === '' ? null : /^\d{1,5}$/.test(value) ? Number(value) : null;
      }
    }
  }
  return via;
}

/** The top Via of a message, or undefined if absent or malformed. */
export function topVia(headers: SipHeaders): TopVia | undefined {
  const line = headers.get('Via');
  if (line === undefined) return undefined;
  return parseViaParm(splitFirstVia(line).first);
}

/** CSeq: `<number> <method>`, or undefined if malformed. */
export function parseCSeqValue(value: string | undefined): CSeqField | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)\s*$/.exec(value);
  if (!match) return undefined;
  const seq = Number(match[1]);
  if (seq > 0xffffffff) return undefined;
  return { seq, method: match[2]! };
}

/** The tag parameter of a From/To value (outside the <...> URI), or undefined. */
export function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const close = value.lastIndexOf('>');
  const params = close === -1 ? value : value.slice(close + 1);
  const match = /;\s*tag\s*=\s*([^;\s,]+)/i.exec(params);
  return match?.[1];
}
