// Parse one complete SIP message (a UDP datagram or a message the stream framer
// has cut out) into a SipRequest or SipResponse (RFC 3261 §7, §25).
//
// Speed: one native scan for the end of the header section, one UTF-8 decode of
// it, then index arithmetic per line. Header values stay raw strings; only the
// headers every message must carry (Via, From, To, Call-ID, CSeq, Contact,
// Content-Length, Max-Forwards) are checked against their grammar, because a
// message that fails them must be answered with 400 here rather than deep in
// the transaction or dialog layer (RFC 4475 §3.1.2).

import { SipHeaders, SipRequest, SipResponse, canonicalHeaderName, type SipMessage } from './sip-message.js';
import { SipParseError, type PartialMessage, type SipParseStatus } from './sip-parse-error.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from './message-limits.js';
import { TOKEN, isClass, isLws, isToken, trimLws } from './headers/char-classes.js';
import { parseCSeq } from './headers/cseq.js';
import { splitHeaderList } from './headers/header-list.js';
import { parseNameAddr } from './headers/name-addr.js';
import { isAbsoluteUri, parseSipUri, uriScheme } from './headers/sip-uri.js';
import { parseViaList } from './headers/via.js';

export type { MessageLimits } from './message-limits.js';

const LF_CRLF = Buffer.from('\n\r\n');
const LFLF = Buffer.from('\n\n');

/** What the start line said, before headers are read. */
type StartLine =
  | { kind: 'request'; method: string; uri: string; version: string }
  | { kind: 'response'; status: number; reason: string; version: string };

/** Collected header fields, before validation. */
interface Collected {
  start: StartLine | undefined;
  names: string[]; // canonical names
  keys: string[]; // lower-cased canonical names
  values: string[];
  /** The decoded header section, and where collection stopped (-1: it finished). */
  text: string;
  resumeAt: number;
}

class Failure {
  constructor(readonly reason: string, readonly status: SipParseStatus | 'request-default' | undefined) {}
}

function fail(reason: string, status: SipParseStatus | 'request-default' | undefined = 'request-default'): never {
  throw new Failure(reason, status);
}

/** Version check: exactly SIP/2.0 (case-insensitive). Another SIP/x.y is 505; anything else 400. */
function checkVersion(version: string): void {
  if (version.length === 7 && version.toUpperCase() === 'SIP/2.0') return;
  const upper = version.toUpperCase();
  if (upper.startsWith('SIP/')) {
    const dot = version.indexOf('.', 4);
    const major = version.slice(4, dot);
    const minor = version.slice(dot + 1);
    if (dot > 4 && /^\d{1,3}$/.test(major) && /^\d{1,3}$/.test(minor)) fail(`unsupported SIP version ${version}`, 505);
  }
  fail(`malformed SIP version "${version.slice(0, 32)}"`);
}

function parseStartLine(line: string): StartLine {
  if (line.length >= 4 && (line.charCodeAt(0) | 0x20) === 0x73 && line.slice(0, 4).toUpperCase() === 'SIP/') {
    const sp1 = line.indexOf(' ');
    if (sp1 === -1) fail('malformed status line', undefined);
    const version = line.slice(0, sp1);
    let code = 0;
    let i = sp1 + 1;
    for (; i < line.length && i < sp1 + 4; i++) {
      const c = line.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      code = code * 10 + (c - 0x30);
    }
    if (i !== sp1 + 4 || (i < line.length && line.charCodeAt(i) !== 0x20)) fail('malformed status code', undefined);
    if (code < 100 || code > 699) fail(`status code ${code} out of range`, undefined);
    try {
      checkVersion(version);
    } catch (error) {
      if (error instanceof Failure) fail(error.reason, undefined);
      throw error;
    }
    return { kind: 'response', status: code, reason: line.slice(i + 1), version: 'SIP/2.0' };
  }

  const sp1 = line.indexOf(' ');
  const method = sp1 === -1 ? line : line.slice(0, sp1);
  if (!isToken(method)) fail('not a SIP start line', undefined);
  const sp2 = line.lastIndexOf(' ');
  if (sp2 === sp1) fail('request line needs Method SP Request-URI SP SIP-Version');
  // Checked by the caller once the start line is recorded, so failures carry the method.
  return { kind: 'request', method, uri: line.slice(sp1 + 1, sp2), version: line.slice(sp2 + 1) };
}

function checkRequestUri(uri: string): void {
  if (uri.length === 0) fail('empty Request-URI');
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) fail('Request-URI contains whitespace or control characters');
  }
  if (!isAbsoluteUri(uri)) fail('Request-URI is not an absolute URI');
  const scheme = uriScheme(uri);
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') {
    const parsed = parseSipUri(uri);
    if (!parsed) fail(`malformed ${scheme} Request-URI`);
    // A SIP Request-URI must not carry headers (RFC 3261 §19.1.1 table; RFC 4475 §3.1.2.10).
    if (parsed.headers.size > 0) fail('Request-URI must not contain URI headers');
  }
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

function partialOf(collected: Collected): PartialMessage {
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
function recoverRemaining(into: Collected): void {
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

function toError(failure: Failure, collected: Collected): SipParseError {
  if (collected.resumeAt >= 0 && collected.start?.kind === 'request') recoverRemaining(collected);
  let status: SipParseStatus | undefined;
  if (failure.status === 'request-default') status = collected.start?.kind === 'request' ? 400 : undefined;
  else status = collected.start?.kind === 'request' ? failure.status : undefined;
  return withoutStack(() => new SipParseError(failure.reason, status, partialOf(collected)));
}

/**
 * Build an error without capturing a stack trace: bad input is routine (scanners,
 * attacks), the stack says nothing about it, and capturing it was the largest
 * single cost of rejecting a message.
 */
function withoutStack<T>(build: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

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
function validate(collected: Collected): number {
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

/**
 * Parse one complete SIP message. The body is a view into `data` (no copy):
 * sliced by Content-Length when present (extra bytes are ignored, RFC 3261
 * §18.3), the rest of the data otherwise. A Content-Length larger than the
 * bytes present is an error. Throws SipParseError and nothing else.
 */
export function parseSipMessage(data: Buffer, limits?: Partial<MessageLimits>): SipMessage {
  const effective: MessageLimits = limits ? { ...DEFAULT_MESSAGE_LIMITS, ...limits } : DEFAULT_MESSAGE_LIMITS;
  const collected: Collected = { start: undefined, names: [], keys: [], values: [], text: '', resumeAt: -1 };
  try {
    if (data.length > effective.maxMessageBytes) {
      // Recover what we can from the start so that a 513 can still be answered.
      try {
        collectHead(data.subarray(0, effective.maxMessageBytes), effective, collected, true);
      } catch {
        // best effort only
      }
      fail(`message of ${data.length} bytes exceeds the ${effective.maxMessageBytes}-byte limit`, 513);
    }
    const bodyStart = collectHead(data, effective, collected, false);
    const contentLength = validate(collected);
    const available = data.length - bodyStart;
    if (contentLength > available) {
      fail(`Content-Length ${contentLength} exceeds the ${available} body bytes received`);
    }
    const body = data.subarray(bodyStart, contentLength === -1 ? data.length : bodyStart + contentLength);
    const headers = new SipHeaders();
    for (let i = 0; i < collected.names.length; i++) {
      headers.appendCanonical(collected.names[i]!, collected.keys[i]!, collected.values[i]!);
    }
    const start = collected.start!;
    return start.kind === 'request'
      ? new SipRequest(start.method, start.uri, headers, body, start.version)
      : new SipResponse(start.status, start.reason, headers, body, start.version);
  } catch (error) {
    if (error instanceof Failure) throw toError(error, collected);
    if (error instanceof SipParseError) throw error;
    // A bug in the grammar must not take the engine down; report it as unparseable.
    throw new SipParseError(`internal parser error: ${(error as Error)?.message ?? String(error)}`, undefined, partialOf(collected));
  }
}

/**
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
