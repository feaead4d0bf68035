// Grammar checks of the headers the transaction and dialog layers rely on
// (RFC 3261 §8.1.1, §8.2.2; RFC 4475 §3.1.2, §3.2). A message failing them is
// answered with 400 by the parser's caller rather than failing deep in a layer.

import { fail } from './parse-failure.js';
import type { Collected } from './header-section.js';
import { isLws } from './headers/char-classes.js';
import { parseCSeq } from './headers/cseq.js';
import { splitHeaderList } from './headers/header-list.js';
import { parseNameAddr } from './headers/name-addr.js';
import { parseViaList } from './headers/via.js';

/** Parse a non-negative decimal of at most `maxDigits` digits; -1 if not 1*DIGIT. */
function parseDigits(value: string, maxDigits: number): number {
  if (value.length === 0 || value.length > maxDigits) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

function checkNameAddr(label: string, value: string): void {
  const elements = splitHeaderList(value);
  if (elements.length !== 1) fail(`${label} must hold exactly one value`);
  if (!parseNameAddr(value)) fail(`malformed ${label} header`);
}

/** Grammar checks of the headers the transaction and dialog layers rely on. Returns Content-Length or -1. */
export function validate(collected: Collected): number {
  const { keys, values } = collected;
  let from = -1, to = -1, callId = -1, cseq = -1, via = -1, contentLength = -1, maxForwards = -1;
  for (let i = 0; i < keys.length; i++) {
    const value = values[i]!;
    switch (keys[i]) {
      case 'via':
        if (!parseViaList(value)) fail('malformed Via header');
        if (via === -1) via = i;
        break;
      case 'from':
        if (from !== -1) fail('more than one From header');
        from = i;
        checkNameAddr('From', value);
        break;
      case 'to':
        if (to !== -1) fail('more than one To header');
        to = i;
        checkNameAddr('To', value);
        break;
      case 'call-id':
        if (callId !== -1) fail('more than one Call-ID header');
        callId = i;
        if (value.length === 0) fail('empty Call-ID');
        for (let j = 0; j < value.length; j++) {
          if (isLws(value.charCodeAt(j)) || value.charCodeAt(j) < 0x20) fail('Call-ID contains whitespace');
        }
        break;
      case 'cseq':
        if (cseq !== -1) fail('more than one CSeq header');
        cseq = i;
        break;
      case 'content-length':
        if (contentLength !== -1) fail('more than one Content-Length header');
        contentLength = i;
        break;
      case 'max-forwards': {
        if (maxForwards !== -1) fail('more than one Max-Forwards header');
        maxForwards = i;
        const hops = parseDigits(value, 10);
        if (hops < 0 || hops > 255) fail('Max-Forwards must be an integer from 0 to 255');
        break;
      }
      case 'contact':
        if (value === '*') break;
        for (const element of splitHeaderList(value)) {
          if (!parseNameAddr(element)) fail('malformed Contact header');
        }
        break;
    }
  }
  const missing: string[] = [];
  if (via === -1) missing.push('Via');
  if (from === -1) missing.push('From');
  if (to === -1) missing.push('To');
  if (callId === -1) missing.push('Call-ID');
  if (cseq === -1) missing.push('CSeq');
  if (missing.length > 0) fail(`missing mandatory header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);

  const parsedCSeq = parseCSeq(values[cseq]!);
  if (!parsedCSeq) fail('malformed CSeq (needs a number below 2^31 and a method)');
  const start = collected.start!;
  if (start.kind === 'request' && parsedCSeq.method !== start.method) {
    fail(`CSeq method ${parsedCSeq.method} does not match request method ${start.method}`);
  }
  if (contentLength === -1) return -1;
  const length = parseDigits(values[contentLength]!, 10);
  if (length < 0) fail('Content-Length must be a non-negative integer');
  return length;
}

