// The start line (RFC 3261 §7.1, §7.2): Request-Line or Status-Line, the SIP
// version, and the Request-URI checks RFC 4475 §3.1.2 expects a parser to make.

import { fail, Failure } from './parse-failure.js';
import { isToken } from './headers/char-classes.js';
import { isAbsoluteUri, parseSipUri, uriScheme } from './headers/sip-uri.js';

/** What the start line said, before headers are read. */
export type StartLine =
  | { kind: 'request'; method: string; uri: string; version: string }
  | { kind: 'response'; status: number; reason: string; version: string };

/** Version check: exactly SIP/2.0 (case-insensitive). Another SIP/x.y is 505; anything else 400. */
export function checkVersion(version: string): void {
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

export function parseStartLine(line: string): StartLine {
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

export function checkRequestUri(uri: string): void {
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

