// Masking of PII (phone numbers, SIP user parts, display names) in anything that is
// about to be logged. Pure functions, no regex with nested quantifiers: every pass is
// one left-to-right scan, so hostile input (a 1 MB SIP message) costs linear time.
//
// The masking rule, in one place:
// - A number keeps its leading '+' and at most its last 2 digits, and only when it has
//   at least 6 digits; the rest becomes a fixed '***' so the length is hidden too:
//   '+15551234567' -> '+***67', '5551234567' -> '***67', '1234' -> '***'.
// - A non-numeric SIP user ('alice.smith') keeps its last 2 characters when it is at
//   least 6 characters long: '***th'; shorter users become '***'.
// - Display names in identity headers (From, To, Contact, P-Asserted-Identity, ...)
//   become "***". Passwords in user-info and digest usernames become ***.
// - Any free-standing run of 7+ digits (optionally after '+') is masked as a number,
//   wherever it appears, and so is a number written in groups: after a '+' in any
//   grouping ('+1 555 123 4567'), without one in the North American shape ('(555) 123-4567'). A run glued to letters ('a84b4c76e66710123') is an identifier,
//   not a number, and is kept. Kept too: dialog tags ('tag=1928301774', not '+'-led)
//   and the sess-id and sess-version of a well-formed SDP o= line, which identify
//   sessions, not people.
// Masking is idempotent: masking a masked text changes nothing.
import { isIP } from 'node:net';

const MASK = '***';
const MIN_DIGITS_TO_KEEP_TAIL = 6;
const KEPT_TAIL = 2;
const MIN_FREE_DIGIT_RUN = 7;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Letters, digits, '_' and any non-ASCII character: what glues a digit run into an identifier. */
function isWordChar(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code) || code === 95 || code > 127;
}

function looksMasked(value: string): boolean {
  const body = value.startsWith('+') ? value.slice(1) : value;
  return body.startsWith(MASK) && body.length <= MASK.length + KEPT_TAIL && !body.slice(MASK.length).includes('*');
}

/** Masks a phone number (any formatting: '+1 (555) 123-4567', '15551234567'). */
export function maskNumber(value: string): string {
  if (looksMasked(value)) return value;
  // From the end: the kept tail, and whether there are enough digits to keep it.
  let tail = '';
  let digits = 0;
  for (let i = value.length - 1; i >= 0 && digits < MIN_DIGITS_TO_KEEP_TAIL; i--) {
    if (!isDigit(value.charCodeAt(i))) continue;
    if (digits < KEPT_TAIL) tail = (value[i] as string) + tail;
    digits++;
  }
  const plus = value.trimStart().startsWith('+') ? '+' : '';
  if (digits < MIN_DIGITS_TO_KEEP_TAIL) return plus + MASK;
  return plus + MASK + tail;
}

function isPhoneLike(value: string): boolean {
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isDigit(code)) digits++;
    // visual separators of RFC 3966 and common human formatting
    else if (!' +-.()'.includes(value[i] as string)) return false;
  }
  return digits > 0;
}

function percentDecoded(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Masks a SIP user part or any other user identifier (number or name). */
export function maskUser(user: string): string {
  if (user.length === 0) return user;
  if (looksMasked(user)) return user;
  const decoded = percentDecoded(user);
  if (isPhoneLike(decoded)) return maskNumber(decoded);
  if (decoded.length < MIN_DIGITS_TO_KEEP_TAIL) return MASK;
  return MASK + maskDigitRuns(decoded.slice(-KEPT_TAIL));
}

/** Masks every free-standing run of 7+ digits (optionally after '+'). */
export function maskDigitRuns(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) {
      i++;
      continue;
    }
    let start = i;
    if (start > 0 && text.charCodeAt(start - 1) === 43 /* + */) start--;
    else if (start >= 3 && startsWithAsciiCI(text, start - 3, '%2b')) start -= 3; // URL-encoded '+'
    let end = i;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    const before = start > 0 ? text.charCodeAt(start - 1) : -1;
    const grouped = before === -1 || !isWordChar(before) ? groupedNumberEnd(text, i, start < i) : undefined;
    if (grouped !== undefined) {
      out += text.slice(copiedUpTo, start) + maskNumber(text.slice(start, grouped));
      copiedUpTo = grouped;
      i = grouped;
      continue;
    }
    const after = end < text.length ? text.charCodeAt(end) : -1;
    const freeStanding = (before === -1 || !isWordChar(before)) && (after === -1 || !isWordChar(after));
    if (freeStanding && end - i >= MIN_FREE_DIGIT_RUN && !isDialogTag(text, start) && !isJsonValueOfOtherKey(text, start)) {
      out += text.slice(copiedUpTo, start) + maskNumber(text.slice(start, end));
      copiedUpTo = end;
    }
    i = end;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

const MAX_NUMBER_DIGITS = 15; // E.164
const MAX_NUMBER_GROUPS = 6;

/**
 * Where a phone number written in groups starting at digitsStart ends, or undefined when
 * the text there is not one. After a '+' any grouping by ' ', '-', '.' and '(...)' counts
 * ('+1 555 123 4567', '+44 (20) 7946-0958'); without one, only the North American shape
 * ('(555) 123-4567', '555.123.4567', '1 555 123 4567'), so that dates, IP addresses,
 * versions and lists of ports or counters keep their digits. Bounded: at most 15 digits
 * are read, so the scan stays linear.
 */
function groupedNumberEnd(text: string, digitsStart: number, plus: boolean): number | undefined {
  const groups: number[] = [];
  let digits = 0;
  let pos = digitsStart;
  let inParens = digitsStart > 0 && text.charCodeAt(digitsStart - 1) === 40; /* ( */
  for (;;) {
    let end = pos;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    groups.push(end - pos);
    digits += end - pos;
    if (digits > MAX_NUMBER_DIGITS || groups.length > MAX_NUMBER_GROUPS) return undefined;
    pos = end;
    let next = pos;
    if (text[next] === ')') {
      if (!inParens) break;
      inParens = false;
      next++;
    }
    if (text[next] === ' ' || text[next] === '-' || text[next] === '.') next++;
    if (text[next] === '(' && !inParens) {
      inParens = true;
      next++;
    }
    if (next === pos || next >= text.length || !isDigit(text.charCodeAt(next))) break;
    pos = next;
  }
  if (groups.length < 2 || digits < MIN_FREE_DIGIT_RUN) return undefined;
  if (pos < text.length && isWordChar(text.charCodeAt(pos))) return undefined;
  if (plus) return pos;
  const shape = groups.join('-');
  return shape === '3-3-4' || shape === '1-3-3-4' ? pos : undefined;
}

/**
 * A JSON number under a key that does not name an identity ('"receiveBufferBytes":2097152'
 * in a logged JSON text) is a figure, not a party: kept. The key is read back from the
 * colon, at most 64 characters.
 */
function isJsonValueOfOtherKey(text: string, runStart: number): boolean {
  if (runStart < 3 || text.charCodeAt(runStart - 1) !== 58 /* : */ || text.charCodeAt(runStart - 2) !== 34 /* " */) return false;
  const keyStart = text.lastIndexOf('"', runStart - 3);
  if (keyStart === -1 || runStart - 3 - keyStart > 64) return false;
  return !isPiiKey(text.slice(keyStart + 1, runStart - 2));
}

/** A dialog tag ('tag=1928301774') identifies a dialog, not a party: kept for correlation. */
function isDialogTag(text: string, runStart: number): boolean {
  // '+' and digits is E.164-looking, whatever precedes it.
  return runStart >= 4 && text.charCodeAt(runStart) !== 43 && startsWithAsciiCI(text, runStart - 4, 'tag=');
}

function startsWithAsciiCI(text: string, at: number, word: string): boolean {
  if (at + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) {
    let code = text.charCodeAt(at + k);
    if (code >= 65 && code <= 90) code += 32;
    if (code !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** RFC 3261 user-info characters (user, ':' password, ';' params), plus non-ASCII so that
 * a malformed 'sip:José@host' is still masked. */
function isUserinfoChar(code: number): boolean {
  if (isDigit(code) || isAsciiLetter(code) || code > 127) return true;
  switch (code) {
    case 45: case 95: case 46: case 33: case 126: case 42: case 39: case 40: case 41: // - _ . ! ~ * ' ( )
    case 37: // % escapes
    case 38: case 61: case 43: case 36: case 44: case 59: case 63: case 47: // & = + $ , ; ? /
    case 58: // : password separator
      return true;
    default:
      return false;
  }
}

function isTelNumberChar(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code) || code === 43 || code === 45 || code === 46 || code === 40 || code === 41 || code === 42 || code === 35;
}

function maskUserinfo(userinfo: string): string {
  let userEnd = 0;
  while (userEnd < userinfo.length && userinfo[userEnd] !== ':' && userinfo[userEnd] !== ';') userEnd++;
  let rest = userinfo.slice(userEnd);
  if (rest.startsWith(':')) {
    const paramsAt = rest.indexOf(';');
    rest = ':' + MASK + (paramsAt === -1 ? '' : rest.slice(paramsAt));
  }
  return maskUser(userinfo.slice(0, userEnd)) + maskDigitRuns(rest);
}

/** Masks the user part of every sip:/sips: URI and the number of every tel: URI. */
export function maskUris(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    // only 's'/'S'/'t'/'T' can start a scheme; checking first keeps the scan cheap
    if (code !== 115 && code !== 83 && code !== 116 && code !== 84) {
      i++;
      continue;
    }
    if (i > 0 && isWordChar(text.charCodeAt(i - 1))) {
      i++;
      continue;
    }
    let schemeEnd = -1;
    let isTel = false;
    if (startsWithAsciiCI(text, i, 'sips:')) schemeEnd = i + 5;
    else if (startsWithAsciiCI(text, i, 'sip:')) schemeEnd = i + 4;
    else if (startsWithAsciiCI(text, i, 'tel:')) {
      schemeEnd = i + 4;
      isTel = true;
    }
    if (schemeEnd === -1) {
      i++;
      continue;
    }
    let end = schemeEnd;
    if (isTel) {
      while (end < text.length && isTelNumberChar(text.charCodeAt(end))) end++;
      if (end > schemeEnd) {
        out += text.slice(copiedUpTo, schemeEnd) + maskNumber(text.slice(schemeEnd, end));
        copiedUpTo = end;
      }
    } else {
      // The first character that cannot be user-info ends the candidate. Every later
      // start inside [schemeEnd, end) would stop at the same character, so resuming at
      // `end` keeps the whole pass linear.
      while (end < text.length && isUserinfoChar(text.charCodeAt(end))) end++;
      if (end < text.length && text.charCodeAt(end) === 64 /* @ */ && end > schemeEnd) {
        out += text.slice(copiedUpTo, schemeEnd) + maskUserinfo(text.slice(schemeEnd, end));
        copiedUpTo = end;
      }
    }
    i = Math.max(end, i + 1);
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

const IDENTITY_HEADERS = new Set([
  'from', 'f', 'to', 't', 'contact', 'm', 'p-asserted-identity', 'p-preferred-identity',
  'remote-party-id', 'diversion', 'history-info', 'referred-by', 'b', 'refer-to', 'r',
  'reply-to', 'p-called-party-id', 'privacy-user',
]);

/** Masks the display names in a name-addr list ('"Bob" <sip:..>, Alice <sip:..>'). */
export function maskDisplayNames(value: string): string {
  let out = '';
  let elementStart = 0;
  let displayMasked = false;
  let inQuotes = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (inQuotes) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuotes = false;
      continue;
    }
    if (ch === '"' && !inAngle) {
      inQuotes = true;
    } else if (ch === '<' && !inAngle) {
      inAngle = true;
      if (!displayMasked) {
        const display = value.slice(elementStart, i);
        const lead = display.length - display.trimStart().length;
        if (display.trim().length > 0) {
          out += display.slice(0, lead) + '"' + MASK + '" ';
        } else {
          out += display;
        }
        out += '<';
        displayMasked = true;
        elementStart = i + 1;
      }
    } else if (ch === '>' && inAngle) {
      inAngle = false;
    } else if (ch === ',' && !inAngle) {
      out += value.slice(elementStart, i + 1);
      elementStart = i + 1;
      displayMasked = false;
    }
  }
  return out + value.slice(elementStart);
}

function headerName(line: string): string | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0 || colon > 64) return undefined;
  const name = line.slice(0, colon).trimEnd();
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (!isAsciiLetter(code) && !isDigit(code) && code !== 45 && code !== 95 && code !== 46) return undefined;
  }
  return name.toLowerCase();
}

/** Masks `username="..."` (digest credentials) wherever it appears. */
function maskDigestUsernames(line: string): string {
  let out = '';
  let copiedUpTo = 0;
  let from = 0;
  while (true) {
    const at = indexOfAsciiCI(line, 'username=', from);
    if (at === -1) break;
    const valueStart = at + 'username='.length;
    let valueEnd = valueStart;
    if (line[valueStart] === '"') {
      const close = line.indexOf('"', valueStart + 1);
      valueEnd = close === -1 ? line.length : close + 1;
    } else {
      while (valueEnd < line.length && !' \t,;\r'.includes(line[valueEnd] as string)) valueEnd++;
    }
    const quoted = line[valueStart] === '"';
    out += line.slice(copiedUpTo, valueStart) + (quoted ? `"${MASK}"` : MASK);
    copiedUpTo = valueEnd;
    from = Math.max(valueEnd, valueStart);
  }
  return copiedUpTo === 0 ? line : out + line.slice(copiedUpTo);
}

function indexOfAsciiCI(text: string, word: string, from: number): number {
  const first = word.charCodeAt(0);
  for (let i = from; i <= text.length - word.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 65 && code <= 90) code += 32;
    if (code === first && startsWithAsciiCI(text, i, word)) return i;
  }
  return -1;
}

/** SDP origin: `o=<username> <sess-id> <sess-version> IN IP4 <addr>`; the ids are not PII. */
function maskSdpOrigin(line: string): string {
  const fields = line.slice(2).split(' ');
  // Only in a well-formed origin line (6 fields, nettype IN) are fields 2 and 3 session ids.
  const wellFormed = fields.length === 6 && fields[3] === 'IN';
  const isSessionId = (field: string, index: number): boolean => wellFormed && (index === 1 || index === 2) && /^[0-9]{1,20}$/.test(field);
  return 'o=' + fields.map((field, index) => (isSessionId(field, index) ? field : maskDigitRuns(field))).join(' ');
}

function redactLine(line: string): string {
  if (line.startsWith('o=')) return maskSdpOrigin(line);
  let result = maskUris(line);
  const name = headerName(result);
  if (name !== undefined && IDENTITY_HEADERS.has(name)) {
    const colon = result.indexOf(':');
    result = result.slice(0, colon + 1) + maskDisplayNames(result.slice(colon + 1));
  }
  result = maskDigestUsernames(result);
  return maskDigitRuns(result);
}

/**
 * Masks PII in any text: a log message, a raw SIP message (start line, identity
 * headers, SDP), a header value.
 */
export function redactSipText(text: string): string {
  if (!text.includes('\n')) return redactLine(text);
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) lines[k] = redactLine(lines[k] as string);
  return lines.join('\n');
}

// Field names whose value is an identity, compared lower-cased without '-' and '_'.
const PII_KEYS = new Set([
  'caller', 'callee', 'from', 'to', 'ani', 'dnis', 'uri', 'ruri', 'requesturi', 'contact',
  'user', 'username', 'userpart', 'number', 'phone', 'phonenumber', 'callingnumber',
  'callednumber', 'dialnumber', 'dialednumber', 'diallednumber', 'callerid', 'callername', 'displayname',
  'pai', 'passertedidentity', 'ppreferredidentity', 'remotepartyid', 'diversion',
  'referto', 'referredby', 'historyinfo', 'msisdn', 'destination',
]);

/** The field names whose values are always masked, as given to pino's `redact`. */
export const PII_FIELD_NAMES: readonly string[] = [
  'caller', 'callee', 'from', 'to', 'ani', 'dnis', 'uri', 'ruri', 'requestUri', 'contact',
  'user', 'username', 'number', 'phone', 'phoneNumber', 'callingNumber', 'calledNumber',
  'dialNumber', 'dialledNumber', 'callerId', 'callerName', 'displayName', 'pai', 'diversion', 'referTo',
  'referredBy', 'msisdn',
];

function isPiiKey(key: string): boolean {
  let normalized = '';
  for (let i = 0; i < key.length && i < 64; i++) {
    const ch = key[i] as string;
    if (ch !== '-' && ch !== '_') normalized += ch.toLowerCase();
  }
  return PII_KEYS.has(normalized);
}

/** Masks the value of a field known to hold an identity (a number, a user, a name-addr). */
export function maskIdentityField(value: unknown): unknown {
  if (typeof value === 'string') {
    if (isIP(value) !== 0) return value; // a source address, not a party
    if (value.startsWith('/')) return redactSipText(value); // an HTTP path under `uri`
    if (value.includes(':') || value.includes('@') || value.includes('<')) {
      return maskDigitRuns(maskDisplayNames(maskUris(value)));
    }
    return maskUser(value);
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    // short numbers under these names are ports, counters, ranges: not parties
    const text = String(value);
    return text.replace('-', '').length >= MIN_DIGITS_TO_KEEP_TAIL ? maskNumber(text) : value;
  }
  return redactValue(value);
}

const MAX_DEPTH = 12;

function redactError(error: Error, seen: WeakSet<object>, depth: number): Error {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  Object.defineProperty(copy, 'message', { value: redactSipText(String(error.message)), enumerable: false, writable: true, configurable: true });
  Object.defineProperty(copy, 'stack', { value: error.stack === undefined ? undefined : redactSipText(error.stack), enumerable: false, writable: true, configurable: true });
  if (error.name !== Object.getPrototypeOf(error)?.name) copy.name = error.name;
  for (const key of Object.keys(error)) {
    (copy as unknown as Record<string, unknown>)[key] = redactAt((error as unknown as Record<string, unknown>)[key], key, seen, depth + 1);
  }
  if ('cause' in error && error.cause !== undefined) {
    Object.defineProperty(copy, 'cause', { value: redactAt(error.cause, 'cause', seen, depth + 1), enumerable: false, writable: true, configurable: true });
  }
  return copy;
}

function redactAt(value: unknown, key: string | undefined, seen: WeakSet<object>, depth: number): unknown {
  if (key !== undefined && isPiiKey(key) && (typeof value !== 'object' || value === null)) {
    return maskIdentityField(value);
  }
  if (typeof value === 'string') return redactSipText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactError(value, seen, depth);
    if (value instanceof Uint8Array) return redactSipText(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'));
    if (value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((item) => redactAt(item, key, seen, depth + 1));
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return redactAt(withJson.toJSON(), key, seen, depth + 1);
    if (value instanceof Map || value instanceof Set) return value; // JSON shows them as {}
    const copy: Record<string, unknown> = {};
    for (const [field, item] of Object.entries(value)) {
      copy[field] = redactAt(item, field, seen, depth + 1);
    }
    return copy;
  } catch {
    // A throwing getter or toJSON: logging must never throw, and never leak what it could not read.
    return '[Unserializable]';
  } finally {
    seen.delete(value);
  }
}

/**
 * A copy of any value with PII masked: strings through redactSipText, fields with
 * identity names (caller, from, uri, ...) through maskIdentityField, Errors keep their
 * class, Buffers become redacted text. Cycles and depth are bounded.
 */
export function redactValue(value: unknown): unknown {
  return redactAt(value, undefined, new WeakSet(), 0);
}
