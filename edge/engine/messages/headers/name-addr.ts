// name-addr / addr-spec with header parameters (RFC 3261 §20.10, §25.1): the
// grammar of From, To, Contact, Route, Record-Route, Reply-To, Refer-To,
// P-Asserted-Identity. One value per call; split lists with splitHeaderList first.

import { TOKEN, isClass, isLws, quote, skipLws, skipQuotedString, trimLwsEnd, unquote } from './char-classes.js';
import { formatParams, parseParams, type HeaderParams } from './header-params.js';
import { isAbsoluteUri } from './sip-uri.js';

export interface NameAddr {
  /** Display name, unquoted and unescaped. */
  displayName?: string;
  /** The URI as written (any scheme). */
  uri: string;
  /** Header parameters (after `>`, or after the addr-spec): lower-cased names. */
  params: HeaderParams;
}

/** Display name before `<` when unquoted: tokens separated by LWS (UTF-8 tolerated). */
function isTokenSequence(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < 128 && !isClass(code, TOKEN) && !isLws(code)) return false;
  }
  return true;
}

/** Parse one name-addr or addr-spec with its parameters; undefined when malformed. */
export function parseNameAddr(text: string): NameAddr | undefined {
  const i = skipLws(text, 0);
  if (i === text.length) return undefined;
  let displayName: string | undefined;
  let lt: number;
  if (text.charCodeAt(i) === 0x22) {
    const end = skipQuotedString(text, i);
    if (end === -1) return undefined;
    displayName = unquote(text.slice(i + 1, end - 1));
    lt = skipLws(text, end);
    if (lt === text.length || text.charCodeAt(lt) !== 0x3c) return undefined;
  } else {
    lt = text.indexOf('<', i);
    if (lt !== -1) {
      if (!isTokenSequence(text, i, lt)) return undefined;
      const nameEnd = trimLwsEnd(text, i, lt);
      if (nameEnd > i) displayName = text.slice(i, nameEnd);
    }
  }

  if (lt === -1) {
    // addr-spec: a URI with ',' '?' or ';' must be in <> (§20), so ';' starts the header params.
    let end = i;
    while (end < text.length) {
      const code = text.charCodeAt(end);
      if (code === 0x3b || isLws(code)) break;
      if (code === 0x2c || code === 0x3f || code === 0x3e || code === 0x22) return undefined;
      end++;
    }
    const uri = text.slice(i, end);
    if (!isAbsoluteUri(uri)) return undefined;
    const params = parseParams(text, end);
    return params ? { uri, params } : undefined;
  }

  const gt = text.indexOf('>', lt + 1);
  if (gt === -1) return undefined;
  const uri = text.slice(lt + 1, gt);
  if (!isAbsoluteUri(uri)) return undefined;
  const params = parseParams(text, gt + 1);
  if (!params) return undefined;
  const result: NameAddr = { uri, params };
  if (displayName !== undefined) result.displayName = displayName;
  return result;
}

/** Format as `"Display" <uri>;params` (always with angle brackets, which is always legal). */
export function formatNameAddr(nameAddr: NameAddr): string {
  let out = '';
  const name = nameAddr.displayName;
  if (name !== undefined && name !== '') {
    out = isTokenSequence(name, 0, name.length) && name.trim() === name && !/[^\x21-\x7e ]/.test(name)
      ? `${name} `
      : `${quote(name)} `;
  }
  return `${out}<${nameAddr.uri}>${formatParams(nameAddr.params)}`;
}

/**
 * The tag parameter of a From/To value. Fast path for the common
 * `...>;tag=abc` shape; anything unusual goes through the full grammar.
 */
export function getTag(value: string): string | undefined {
  if (value.indexOf('"') === -1) {
    const gt = value.lastIndexOf('>');
    const at = value.indexOf(';tag=', gt + 1);
    if (at !== -1) {
      let end = at + 5;
      while (end < value.length) {
        const code = value.charCodeAt(end);
        if (code === 0x3b || code === 0x2c || isLws(code)) break;
        end++;
      }
      // A tag followed only by more ';params' is unambiguous; otherwise use the grammar.
      if (end > at + 5 && (end === value.length || value.charCodeAt(end) === 0x3b)) {
        return value.slice(at + 5, end);
      }
    } else if (value.toLowerCase().indexOf('tag', gt + 1) === -1) {
      return undefined;
    }
  }
  const parsed = parseNameAddr(value);
  const tag = parsed?.params.get('tag');
  return tag ?? undefined;
}

/** The value with its tag set to `tag` (replacing any existing tag). */
export function withTag(value: string, tag: string): string {
  const existing = getTag(value);
  if (existing === undefined && value.indexOf('"') === -1 && value.indexOf('<') !== -1) {
    return `${value.trimEnd()};tag=${tag}`;
  }
  const parsed = parseNameAddr(value);
  if (!parsed) return `${value.trimEnd()};tag=${tag}`;
  parsed.params.set('tag', tag);
  return formatNameAddr(parsed);
}
