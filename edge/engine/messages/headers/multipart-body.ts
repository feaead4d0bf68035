// multipart/* bodies (RFC 2046 §5.1): parts separated by CRLF "--" boundary,
// closed by "--" boundary "--". Used for SDP + ISUP/SIPREC metadata bodies.

import { SipHeaders } from '../sip-message.js';

export interface MultipartPart {
  headers: SipHeaders;
  /** A view into the original body (no copy). */
  body: Buffer;
}

/** Parse the part headers: `Name: value` lines, with folding. Undefined if malformed. */
function parsePartHeaders(text: string): SipHeaders | undefined {
  const headers = new SipHeaders();
  if (text.length === 0) return headers;
  let lastName: string | undefined;
  let lastValue = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (lastName === undefined) return undefined;
      lastValue += ` ${line.trim()}`;
      continue;
    }
    if (lastName !== undefined) headers.append(lastName, lastValue);
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    lastName = line.slice(0, colon).trim();
    lastValue = line.slice(colon + 1).trim();
  }
  if (lastName !== undefined) headers.append(lastName, lastValue);
  return headers;
}

/**
 * Split a multipart body on `boundary` (the Content-Type parameter, unquoted).
 * Returns undefined when the body is not well-formed multipart. The preamble
 * and epilogue are ignored.
 */
export function parseMultipartBody(body: Buffer, boundary: string, maxParts = 64): MultipartPart[] | undefined {
  if (boundary.length === 0 || boundary.length > 70) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const inner = Buffer.from(`\r\n--${boundary}`);
  // The first delimiter may start the body without a preceding CRLF.
  let at = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(inner);
  if (at === -1) return undefined;
  if (at !== 0) at += 2;
  const parts: MultipartPart[] = [];
  while (true) {
    let cursor = at + delimiter.length;
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) return parts; // closing delimiter
    // Skip transport padding and the CRLF ending the delimiter line.
    while (cursor < body.length && (body[cursor] === 0x20 || body[cursor] === 0x09)) cursor++;
    if (body[cursor] === 0x0d) cursor++;
    if (body[cursor] !== 0x0a) return undefined;
    cursor++;
    const next = body.indexOf(inner, cursor);
    if (next === -1) return undefined; // no closing delimiter
    const part = body.subarray(cursor, next);
    let headerEnd = part.indexOf('\r\n\r\n');
    let contentStart: number;
    if (part.subarray(0, 2).toString('latin1') === '\r\n') {
      headerEnd = 0;
      contentStart = 2;
    } else if (headerEnd === -1) return undefined;
    else contentStart = headerEnd + 4;
    const headers = parsePartHeaders(part.toString('utf8', 0, headerEnd));
    if (!headers) return undefined;
    parts.push({ headers, body: part.subarray(contentStart) });
    if (parts.length > maxParts) return undefined;
    at = next + 2;
  }
}
