// Character classes of the RFC 3261 §25 grammar as a lookup table, so the
// grammar functions test a character with one array read instead of a regex.

export const TOKEN = 1; // token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
export const DIGIT = 2;
export const ALPHA = 4;
export const SCHEME = 8; // after the first ALPHA: ALPHA / DIGIT / "+" / "-" / "."
export const HOST = 16; // hostname characters (alphanum, "-", ".", and "_" seen in the wild)
export const HEX = 32;
const WSP = 64; // SP / HTAB

const table = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) table[c]! |= TOKEN | DIGIT | SCHEME | HOST | HEX;
for (let c = 0x41; c <= 0x5a; c++) table[c]! |= TOKEN | ALPHA | SCHEME | HOST;
for (let c = 0x61; c <= 0x7a; c++) table[c]! |= TOKEN | ALPHA | SCHEME | HOST;
for (const ch of 'abcdefABCDEF') table[ch.charCodeAt(0)]! |= HEX;
for (const ch of "-.!%*_+`'~") table[ch.charCodeAt(0)]! |= TOKEN;
for (const ch of '+-.') table[ch.charCodeAt(0)]! |= SCHEME;
for (const ch of '-._') table[ch.charCodeAt(0)]! |= HOST;
table[0x20]! |= WSP;
table[0x09]! |= WSP;

/** True when the UTF-16 code unit `code` belongs to every class in `mask`. */
export function isClass(code: number, mask: number): boolean {
  return code < 128 && (table[code]! & mask) === mask;
}

/** True when every character of `text` (non-empty) is a token character. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || (table[code]! & TOKEN) === 0) return false;
  }
  return true;
}

/** True for SP, HTAB, CR or LF: the characters LWS is made of. */
export function isLws(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

/** Index of the first non-LWS character at or after `from` (text.length if none). */
export function skipLws(text: string, from: number): number {
  let i = from;
  while (i < text.length && isLws(text.charCodeAt(i))) i++;
  return i;
}

/** Index one past the last non-LWS character before `end` (>= from). */
export function trimLwsEnd(text: string, from: number, end: number): number {
  let e = end;
  while (e > from && isLws(text.charCodeAt(e - 1))) e--;
  return e;
}

/**
 * Index one past the closing quote of the quoted-string opening at `start`
 * (text[start] === '"'), honouring backslash escapes; -1 when unterminated.
 */
export function skipQuotedString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c) i++; // quoted-pair: skip the escaped character
    else if (code === 0x22) return i + 1;
  }
  return -1;
}

/**
 * Strip SP, HTAB, CR and LF from both ends. Unlike String.prototype.trim it
 * keeps other Unicode spaces (a BOM or NBSP is part of a value, RFC 4475 §3.1.1.2).
 */
export function trimLws(text: string): string {
  const start = skipLws(text, 0);
  if (start === text.length) return '';
  const end = trimLwsEnd(text, start, text.length);
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Decode the inside of a quoted-string (without its quotes): drop backslash escapes. */
export function unquote(inner: string): string {
  if (inner.indexOf('\\') === -1) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += ch;
  }
  return out;
}

/** Quote a string for a quoted-string: backslash-escape `"` and `\`. */
export function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}
