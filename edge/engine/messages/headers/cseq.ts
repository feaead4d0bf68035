// CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16). §8.1.1.5 limits what a UAC *sends* to
// below 2^31; a server accepts any 32-bit unsigned value (be liberal where no harm follows).

import { isToken, isLws, skipLws } from './char-classes.js';

export interface CSeq {
  seq: number;
  method: string;
}

/** The largest CSeq number accepted: 2^32 - 1 (a 32-bit unsigned integer). */
export const MAX_CSEQ = 2 ** 32 - 1;

/** Parse `1*DIGIT LWS Method`; a number may have leading zeros but must fit 32 bits unsigned. */
export function parseCSeq(value: string): CSeq | undefined {
  let i = skipLws(value, 0);
  const start = i;
  let seq = 0;
  while (i < value.length) {
    const code = value.charCodeAt(i);
    if (code < 0x30 || code > 0x39) break;
    seq = seq * 10 + (code - 0x30);
    if (seq > MAX_CSEQ) return undefined;
    i++;
  }
  if (i === start || i === value.length || !isLws(value.charCodeAt(i))) return undefined;
  const methodStart = skipLws(value, i);
  let methodEnd = value.length;
  while (methodEnd > methodStart && isLws(value.charCodeAt(methodEnd - 1))) methodEnd--;
  const method = value.slice(methodStart, methodEnd);
  return isToken(method) ? { seq, method } : undefined;
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
