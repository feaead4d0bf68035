// The header section of a message: finding where it ends, splitting it into
// fields (folding, compact names, limits), and recovering the fields a 400
// response needs when a line is broken.

import { canonicalHeaderName } from './sip-message.js';
import type { PartialMessage } from './sip-parse-error.js';
import type { MessageLimits } from './message-limits.js';
import { fail } from './parse-failure.js';
import { checkRequestUri, checkVersion, parseStartLine, type StartLine } from './start-line.js';
import { TOKEN, isClass, isLws, isToken, trimLws } from './headers/char-classes.js';

const LF_CRLF = Buffer.from('\n\r\n');
const LFLF = Buffer.from('\n\n');

/** Collected header fields, before validation. */
export interface Collected {
  start: StartLine | undefined;
  names: string[]; // canonical names
  keys: string[]; // lower-cased canonical names
  values: string[];
  /** The decoded header section, and where collection stopped (-1: it finished). */
  text: string;
  resumeAt: number;
}

export function newCollected(): Collected {
  return { start: undefined, names: [], keys: [], values: [], text: '', resumeAt: -1 };
}

/** Split the header section into start line and fields, applying line and count limits. */
function collect(text: string, limits: MessageLimits, into: Collected): void {
  let pos = 0;
  let first = true;
  let lastIndex = -1;
  // Position of the next CR, looked up again only once passed, so the bare-CR
  // check stays linear in the header size.
  let nextCr = text.indexOf('\r');
  into.text = text;
  while (pos < text.length) {
    let lf = text.indexOf('\n', pos);
    if (lf === -1) lf = text.length;
    into.resumeAt = lf + 1;
    const end = lf > pos && text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf;
    if (end - pos > limits.maxLineBytes) {
      if (first) {
        // Still recognise a request so the 414 can be answered.
        const sp = text.indexOf(' ', pos);
        const method = sp === -1 ? '' : text.slice(pos, Math.min(sp, pos + 64));
        if (sp < end && isToken(method) && method.toUpperCase() !== 'SIP/2.0') {
          into.start = { kind: 'request', method, uri: '', version: '' };
        }
        fail(`start line longer than ${limits.maxLineBytes} characters`, 414);
      }
      fail(`header line longer than ${limits.maxLineBytes} characters`, 513);
    }
    // A CR not followed by LF would let two parsers disagree on line ends.
    // (NUL is legal inside a quoted-pair, RFC 4475 §3.1.1.2, so it is left to the grammar.)
    if (nextCr !== -1 && nextCr < end) fail('bare CR in header section');
    const lineStart = pos;
    pos = lf + 1;
    if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    if (first) {
      first = false;
      const start = parseStartLine(text.slice(lineStart, end));
      into.start = start;
      if (start.kind === 'request') {
        checkRequestUri(start.uri);
        checkVersion(start.version);
        start.version = 'SIP/2.0';
      }
      continue;
    }
    if (end === lineStart) fail('empty line inside the header section');
    const c0 = text.charCodeAt(lineStart);
    if (c0 === 0x20 || c0 === 0x09) {
      // Folded continuation (LWS): joins the previous field with one space.
      if (lastIndex === -1) fail('continuation line before any header');
      const more = trimLws(text.slice(lineStart, end));
      if (more.length > 0) {
        const prev = into.values[lastIndex]!;
        into.values[lastIndex] = prev.length === 0 ? more : `${prev} ${more}`;
      }
      continue;
    }
    let nameEnd = lineStart;
    while (nameEnd < end && isClass(text.charCodeAt(nameEnd), TOKEN)) nameEnd++;
    if (nameEnd === lineStart) fail('invalid header name');
    let colon = nameEnd;
    while (colon < end && (text.charCodeAt(colon) === 0x20 || text.charCodeAt(colon) === 0x09)) colon++;
    if (colon === end || text.charCodeAt(colon) !== 0x3a) {
      const anyColon = text.indexOf(':', lineStart); // error path only
      fail(anyColon === -1 || anyColon >= end ? 'header line without a colon' : 'invalid header name');
    }
    if (into.names.length >= limits.maxHeaders) fail(`more than ${limits.maxHeaders} header fields`, 513);
    const key = headerKey(text.slice(lineStart, nameEnd));
    into.names.push(key.canonical);
    into.keys.push(key.lower);
    let valueStart = colon + 1;
    let valueEnd = end;
    while (valueStart < valueEnd && isLws(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isLws(text.charCodeAt(valueEnd - 1))) valueEnd--;
    into.values.push(text.slice(valueStart, valueEnd));
    lastIndex = into.values.length - 1;
  }
  into.resumeAt = -1;
}

interface HeaderKey {
  canonical: string;
  lower: string;
}

/** Header names as spelled on the wire, mapped to their canonical and lookup forms. */
const headerKeys = new Map<string, HeaderKey>();
const MAX_CACHED_HEADER_NAMES = 512; // names are attacker-chosen: keep the cache bounded

function headerKey(name: string): HeaderKey {
  const cached = headerKeys.get(name);
  if (cached) return cached;
  const canonical = canonicalHeaderName(name);
  const key = { canonical, lower: canonical.toLowerCase() };
  if (headerKeys.size < MAX_CACHED_HEADER_NAMES) headerKeys.set(name, key);
  return key;
}

export function partialOf(collected: Collected): PartialMessage {
  const partial: PartialMessage = {};
  const start = collected.start;
  if (start) {
    partial.kind = start.kind;
    if (start.kind === 'request') partial.method = start.method;
  }
  const { keys, values } = collected;
  for (let i = 0; i < keys.length; i++) {
    const value = values[i]!;
    switch (keys[i]) {
      case 'via': (partial.via ??= []).push(value); break;
      case 'call-id': partial.callId ??= value; break;
      case 'cseq': partial.cseq ??= value; break;
      case 'from': partial.from ??= value; break;
      case 'to': partial.to ??= value; break;
    }
  }
  return partial;
}

const RECOVERABLE = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

/**
 * After collection stopped at a bad line, pick the headers a response needs out
 * of the remaining lines, leniently, so that a 400 can still be sent (RFC 4475
 * expects an answer, not silence, when the request is recognisable).
 */
export function recoverRemaining(into: Collected): void {
  const text = into.text;
  let pos = into.resumeAt;
  let last = -1;
  while (pos >= 0 && pos < text.length) {
    let lf = text.indexOf('\n', pos);
    if (lf === -1) lf = text.length;
    const line = text.slice(pos, lf > pos && text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf);
    pos = lf + 1;
    const c0 = line.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) {
      if (last !== -1) into.values[last] = `${into.values[last]} ${trimLws(line)}`;
      continue;
    }
    last = -1;
    const colon = line.indexOf(':');
    const name = colon > 0 ? trimLws(line.slice(0, colon)) : '';
    if (!isToken(name)) continue;
    const key = headerKey(name);
    if (!RECOVERABLE.has(key.lower)) continue;
    into.names.push(key.canonical);
    into.keys.push(key.lower);
    into.values.push(trimLws(line.slice(colon + 1)));
    last = into.values.length - 1;
  }
  into.resumeAt = -1;
}

export /**
 * Find the header section, decode it and collect its fields. Returns the byte
 * offset of the body. `truncated` tolerates a missing end of headers (used
 * only to recover a partial message from an oversized one).
 */
function collectHead(data: Buffer, limits: MessageLimits, into: Collected, truncated: boolean): number {
  // RFC 3261 §7.5: CRLFs before the start line are ignored (keepalives on streams).
  let start = 0;
  while (start < data.length && (data[start] === 0x0d || data[start] === 0x0a)) start++;
  if (start === data.length) fail('empty message', undefined);
  // The header section ends at the first empty line. Lines end in CRLF, or a bare
  // LF from lenient senders, so the empty line is "\n\r\n" or "\n\n", whichever
  // comes first (a CRLF message never contains "\n\n" in its header section).
  let headEnd = data.indexOf(LF_CRLF, start);
  let bodyStart = headEnd + 3;
  const bareEnd = data.subarray(start, headEnd === -1 ? data.length : headEnd).indexOf(LFLF);
  if (bareEnd !== -1) {
    headEnd = start + bareEnd;
    bodyStart = headEnd + 2;
  }
  if (headEnd === -1) {
    if (truncated) {
      headEnd = data.length;
      bodyStart = data.length;
    } else {
      collect(data.toString('utf8', start, Math.min(data.length, start + limits.maxLineBytes * 2)), limits, into);
      fail('no empty line after the header section');
    }
  }
  collect(data.toString('utf8', start, headEnd), limits, into);
  if (into.start === undefined) fail('empty message', undefined);
  return bodyStart;
}
