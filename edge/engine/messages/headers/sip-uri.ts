// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966 for tel). One
// left-to-right pass with index arithmetic; no regular expressions.

import { isIPv6 } from 'node:net';
import { ALPHA, DIGIT, HEX, HOST, SCHEME, isClass } from './char-classes.js';

export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  /** User part as it appeared, %-escapes kept (tel: the telephone number). */
  user?: string;
  password?: string;
  /** Hostname, IPv4 address or IPv6 reference with its brackets; '' for tel. */
  host: string;
  port?: number;
  /** uri-parameters: lower-cased names, raw values, arrival order; null for a name without value, '' for `name=`. */
  params: Map<string, string | null>;
  /** URI headers (`?name=value&...`), raw. */
  headers: Map<string, string>;
}

// user = 1*( unreserved / escaped / user-unreserved ), password likewise (RFC 3261 §25.1).
const USER_EXTRA = "-_.!~*'()&=+$,;?/%";
const PASSWORD_EXTRA = "-_.!~*'()&=+$,%";
const PARAM_EXTRA = "-_.!~*'()[]/:&+$%";
const HEADER_EXTRA = "-_.!~*'()[]/?:+$%";
const TEL_EXTRA = '-.()+*#%';

function allowed(extra: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let c = 0; c < 128; c++) if (isClass(c, ALPHA) || isClass(c, DIGIT)) set[c] = 1;
  for (const ch of extra) set[ch.charCodeAt(0)] = 1;
  return set;
}
const USER_CHARS = allowed(USER_EXTRA);
const PASSWORD_CHARS = allowed(PASSWORD_EXTRA);
const PARAM_CHARS = allowed(PARAM_EXTRA);
const HEADER_CHARS = allowed(HEADER_EXTRA);
const TEL_CHARS = allowed(TEL_EXTRA);

/** Every character of text[from, to) is in `set` (ASCII only), and each %-escape has two hex digits. */
function onlyChars(text: string, from: number, to: number, set: Uint8Array): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) return false;
    if (set[code] === 0) return false;
    if (code === 0x25 /* % */) {
      if (i + 2 >= to) return false;
      if (!isClass(text.charCodeAt(i + 1), HEX) || !isClass(text.charCodeAt(i + 2), HEX)) return false;
      i += 2;
    }
  }
  return true;
}

/**
 * Lower-cased scheme of an absolute URI (`scheme ":" ...`), or undefined when
 * the text does not start with a valid scheme followed by at least one character.
 */
export function uriScheme(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon < 1 || colon === text.length - 1) return undefined;
  if (!isClass(text.charCodeAt(0), ALPHA)) return undefined;
  for (let i = 1; i < colon; i++) if (!isClass(text.charCodeAt(i), SCHEME)) return undefined;
  return text.slice(0, colon).toLowerCase();
}

/** An absolute URI of any scheme without whitespace, controls, quotes or angle brackets. */
export function isAbsoluteUri(text: string): boolean {
  if (uriScheme(text) === undefined) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x22 || code === 0x3c || code === 0x3e) return false;
  }
  return true;
}

/** Parse a port: 1-5 digits, at most 65535. */
function parsePort(text: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > 5) return undefined;
  let port = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return undefined;
    port = port * 10 + (code - 0x30);
  }
  return port <= 65535 ? port : undefined;
}

/** Host and optional port from text[from, to): hostname, IPv4, or `[IPv6]`. */
export function parseHostPort(text: string, from: number, to: number): { host: string; port?: number } | undefined {
  if (from >= to) return undefined;
  let hostEnd: number;
  let portStart = -1;
  if (text.charCodeAt(from) === 0x5b /* [ */) {
    const close = text.indexOf(']', from);
    if (close === -1 || close >= to || close === from + 1) return undefined;
    for (let i = from + 1; i < close; i++) {
      const code = text.charCodeAt(i);
      if (!isClass(code, HEX) && code !== 0x3a && code !== 0x2e) return undefined;
    }
    // Full IPv6 grammar (RFC 5118 §4.10: "[2001:db8:::192.0.2.151]" is invalid).
    if (!isIPv6(text.slice(from + 1, close))) return undefined;
    hostEnd = close + 1;
    if (hostEnd < to) {
      if (text.charCodeAt(hostEnd) !== 0x3a) return undefined;
      portStart = hostEnd + 1;
    }
  } else {
    hostEnd = from;
    while (hostEnd < to && text.charCodeAt(hostEnd) !== 0x3a) {
      if (!isClass(text.charCodeAt(hostEnd), HOST)) return undefined;
      hostEnd++;
    }
    if (hostEnd === from) return undefined;
    if (hostEnd < to) portStart = hostEnd + 1;
  }
  const host = text.slice(from, hostEnd);
  if (portStart === -1) return { host };
  const port = parsePort(text, portStart, to);
  return port === undefined ? undefined : { host, port };
}

/** `;name[=value]` pairs in text[from, to); names lower-cased. */
function parseUriParams(text: string, from: number, to: number, into: Map<string, string | null>): boolean {
  let i = from;
  while (i < to) {
    // text[i] is ';'
    // One scan per parameter, bounded by the next ';' (an unbounded indexOf('=')
    // would make ";a;a;a..." quadratic).
    let end = i + 1;
    let eq = -1;
    while (end < to) {
      const code = text.charCodeAt(end);
      if (code === 0x3b) break;
      if (code === 0x3d && eq === -1) eq = end;
      end++;
    }
    const nameEnd = eq !== -1 ? eq : end;
    if (nameEnd === i + 1) return false;
    if (!onlyChars(text, i + 1, nameEnd, PARAM_CHARS)) return false;
    const name = text.slice(i + 1, nameEnd).toLowerCase();
    if (nameEnd === end) into.set(name, null);
    else {
      // An empty value (`;unknownparam=`) is outside the grammar but harmless; other servers accept it.
      if (!onlyChars(text, eq + 1, end, PARAM_CHARS)) return false;
      into.set(name, text.slice(eq + 1, end));
    }
    i = end;
  }
  return true;
}

function parseUriHeaders(text: string, from: number, into: Map<string, string>): boolean {
  let i = from;
  while (i < text.length) {
    let end = i;
    let eq = -1;
    while (end < text.length && text.charCodeAt(end) !== 0x26 /* & */) {
      if (eq === -1 && text.charCodeAt(end) === 0x3d) eq = end;
      end++;
    }
    if (eq === -1 || eq === i) return false;
    if (!onlyChars(text, i, eq, HEADER_CHARS) || !onlyChars(text, eq + 1, end, HEADER_CHARS)) return false;
    into.set(text.slice(i, eq), text.slice(eq + 1, end));
    i = end + 1;
    if (end + 1 === text.length) return false; // trailing '&'
  }
  return true;
}

function parseTelUri(text: string, start: number): SipUri | undefined {
  let end = text.indexOf(';', start);
  if (end === -1) end = text.length;
  if (end === start || !onlyChars(text, start, end, TEL_CHARS)) return undefined;
  const uri: SipUri = { scheme: 'tel', user: text.slice(start, end), host: '', params: new Map(), headers: new Map() };
  if (!parseUriParams(text, end, text.length, uri.params)) return undefined;
  return uri;
}

/** Parse a sip:, sips: or tel: URI; undefined for any other scheme or a malformed URI. */
export function parseSipUri(text: string): SipUri | undefined {
  const scheme = uriScheme(text);
  if (scheme === 'tel') return parseTelUri(text, 4);
  if (scheme !== 'sip' && scheme !== 'sips') return undefined;
  const start = scheme.length + 1;
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: new Map() };

  // '@' appears unescaped only after the userinfo, and the user part may itself
  // contain '?', ';' and '/' (RFC 4475 §3.1.1.2, §3.1.1.9), so find '@' first.
  let hostStart = start;
  const at = text.indexOf('@', start);
  if (at !== -1) {
    // The password cannot contain ':' so the first colon splits user and password.
    const colon = text.indexOf(':', start);
    const userEnd = colon !== -1 && colon < at ? colon : at;
    if (userEnd === start || !onlyChars(text, start, userEnd, USER_CHARS)) return undefined;
    uri.user = text.slice(start, userEnd);
    if (userEnd !== at) {
      if (!onlyChars(text, userEnd + 1, at, PASSWORD_CHARS)) return undefined;
      uri.password = text.slice(userEnd + 1, at);
    }
    hostStart = at + 1;
  }
  const question = text.indexOf('?', hostStart);
  const end = question === -1 ? text.length : question;
  let paramsStart = text.indexOf(';', hostStart);
  if (paramsStart === -1 || paramsStart > end) paramsStart = end;
  const hostPort = parseHostPort(text, hostStart, paramsStart);
  if (!hostPort) return undefined;
  uri.host = hostPort.host;
  if (hostPort.port !== undefined) uri.port = hostPort.port;
  if (!parseUriParams(text, paramsStart, end, uri.params)) return undefined;
  if (question !== -1 && (question === text.length - 1 || !parseUriHeaders(text, question + 1, uri.headers))) {
    return undefined;
  }
  return uri;
}

/**
 * Decode %HH escapes (RFC 3261 §19.1.2) into the text they stand for, reading the
 * octets as UTF-8. Two user parts are the same user when their decoded forms are
 * equal ("%75se%72" is "user"). Undefined when an escape is incomplete.
 */
export function unescapeUriPart(text: string): string | undefined {
  if (text.indexOf('%') === -1) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25) {
      if (i + 2 >= text.length || !isClass(text.charCodeAt(i + 1), HEX) || !isClass(text.charCodeAt(i + 2), HEX)) {
        return undefined;
      }
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (code < 0x80) bytes.push(code);
    else for (const byte of Buffer.from(text[i]!, 'utf8')) bytes.push(byte);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The URI as text; params and headers in map order. */
export function formatSipUri(uri: SipUri): string {
  let out = `${uri.scheme}:`;
  if (uri.scheme === 'tel') out += uri.user ?? '';
  else {
    if (uri.user !== undefined) {
      out += uri.user;
      if (uri.password !== undefined) out += `:${uri.password}`;
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += `:${uri.port}`;
  }
  for (const [name, value] of uri.params) out += value === null ? `;${name}` : `;${name}=${value}`;
  let separator = '?';
  for (const [name, value] of uri.headers) {
    out += `${separator}${name}=${value}`;
    separator = '&';
  }
  return out;
}
