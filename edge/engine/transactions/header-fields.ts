// The few header fields the transaction layer reads: the top Via, CSeq and the
// From/To tags, in the shape §17 matching and §18.2 response routing need. The
// grammar itself is ../messages/headers/; this module only adapts it.

import { firstListElement } from '../messages/headers/header-list.js';
import { getTag } from '../messages/headers/name-addr.js';
import { parseCSeq } from '../messages/headers/cseq.js';
import { parseVia } from '../messages/headers/via.js';
import type { SipHeaders } from '../messages/sip-message.js';

export const MAGIC_COOKIE = 'z9hG4bK';

export interface TopVia {
  /** The whole first via-parm, trimmed (used by the RFC 2543 matching key). */
  raw: string;
  /** Lower-cased transport from the sent-protocol, e.g. 'udp'. */
  transport: string;
  /** sent-by host, lower-cased (matching compares hosts case-insensitively). */
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

/** Split the first Via line into its first via-parm and the rest (for comma-joined Via lines). */
export function splitFirstVia(line: string): { first: string; rest: string | undefined } {
  const first = firstListElement(line);
  const at = line.indexOf(first);
  const tail = line.slice(at + first.length).replace(/^\s*,/, '').trim();
  return { first, rest: tail.length > 0 ? tail : undefined };
}

/** Parse one via-parm: `SIP/2.0/UDP host:port;param=value;...`. Undefined if malformed. */
export function parseViaParm(parm: string): TopVia | undefined {
  const via = parseVia(parm);
  if (!via) return undefined;
  const maddr = via.params.get('maddr');
  return {
    raw: parm,
    transport: via.transport.toLowerCase(),
    host: via.host.toLowerCase(),
    port: via.port,
    branch: via.branch,
    received: via.received,
    rport: via.rport === true ? null : via.rport,
    maddr: maddr ?? undefined,
  };
}

/** The top Via of a message, or undefined if absent or malformed. */
export function topVia(headers: SipHeaders): TopVia | undefined {
  const line = headers.get('Via');
  if (line === undefined) return undefined;
  return parseViaParm(firstListElement(line));
}

/** CSeq: `<number> <method>`, or undefined if malformed. */
export function parseCSeqValue(value: string | undefined): CSeqField | undefined {
  return value === undefined ? undefined : parseCSeq(value);
}

/** The tag parameter of a From/To value, or undefined. */
export function tagOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : getTag(value);
}
