// RAck = response-num LWS CSeq-num LWS Method (RFC 3262 §7.2); RSeq = response-num (§7.1).

import { isLws, isToken, skipLws } from './char-classes.js';
import { MAX_CSEQ } from './cseq.js';

export interface RAck {
  rseq: number;
  cseq: number;
  method: string;
}

/** Read 1*DIGIT of at most 2^32 - 1 at `from`; returns [value, end] or undefined. */
function readNumber(text: string, from: number): [number, number] | undefined {
  let i = from;
  let n = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) break;
    n = n * 10 + (code - 0x30);
    if (n > MAX_CSEQ) return undefined;
    i++;
  }
  return i === from ? undefined : [n, i];
}

export function parseRAck(value: string): RAck | undefined {
  const rseq = readNumber(value, skipLws(value, 0));
  if (!rseq || !isLws(value.charCodeAt(rseq[1]))) return undefined;
  const cseq = readNumber(value, skipLws(value, rseq[1]));
  if (!cseq || !isLws(value.charCodeAt(cseq[1]))) return undefined;
  const method = value.slice(skipLws(value, cseq[1])).trim();
  return isToken(method) ? { rseq: rseq[0], cseq: cseq[0], method } : undefined;
}

export function formatRAck(rack: RAck): string {
  return `${rack.rseq} ${rack.cseq} ${rack.method}`;
}

/** RSeq: 1*DIGIT, 1 to 2^32-1 (RFC 3262 §7.1: 1 to 2**32 - 1). */
export function parseRSeq(value: string): number | undefined {
  const text = value.trim();
  const parsed = readNumber(text, 0);
  return parsed && parsed[1] === text.length && parsed[0] > 0 ? parsed[0] : undefined;
}
