// Header parameters: *( SEMI generic-param ) with generic-param = token [ EQUAL gen-value ]
// (RFC 3261 §25.1). Shared by Via, name-addr, Content-Type and Session-Expires.

import { TOKEN, isClass, isLws, skipLws, skipQuotedString } from './char-classes.js';

/** Parameter map: lower-cased names in arrival order; `null` for a name without value. */
export type HeaderParams = Map<string, string | null>;

/** Characters that end an unquoted parameter value. */
function endsValue(code: number): boolean {
  return code === 0x3b /* ; */ || code === 0x2c /* , */ || code === 0x3d /* = */ || code === 0x22 ||
    code === 0x3c || code === 0x3e || isLws(code) || code < 0x20 || code === 0x7f;
}

/**
 * Parse `;name=value;name2...` from `start` to the end of `text`. Values are
 * kept raw (quoted-strings keep their quotes) so formatting round-trips.
 * Returns undefined when the text is not a parameter list (empty names, stray
 * characters, unterminated quotes).
 */
export function parseParams(text: string, start: number): HeaderParams | undefined {
  const params: HeaderParams = new Map();
  let i = skipLws(text, start);
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x3b) return undefined;
    i = skipLws(text, i + 1);
    const nameStart = i;
    while (i < text.length && isClass(text.charCodeAt(i), TOKEN)) i++;
    if (i === nameStart) return undefined;
    const name = text.slice(nameStart, i).toLowerCase();
    i = skipLws(text, i);
    let value: string | null = null;
    if (i < text.length && text.charCodeAt(i) === 0x3d) {
      i = skipLws(text, i + 1);
      const valueStart = i;
      if (i < text.length && text.charCodeAt(i) === 0x22) {
        const end = skipQuotedString(text, i);
        if (end === -1) return undefined;
        i = end;
      } else {
        while (i < text.length && !endsValue(text.charCodeAt(i))) i++;
      }
      if (i === valueStart) return undefined;
      value = text.slice(valueStart, i);
      i = skipLws(text, i);
    }
    params.set(name, value);
  }
  return params;
}

/** `;name=value` for each parameter, in map order. */
export function formatParams(params: ReadonlyMap<string, string | null>): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}
