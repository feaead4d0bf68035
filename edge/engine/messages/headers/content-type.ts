// Content-Type = media-type (RFC 3261 §20.15): m-type SLASH m-subtype *(SEMI m-parameter).

import { TOKEN, isClass, skipLws, unquote } from './char-classes.js';
import { parseParams, type HeaderParams } from './header-params.js';

export interface ContentType {
  /** `type/subtype`, lower-cased: compare against this. */
  mediaType: string;
  type: string;
  subtype: string;
  /** Lower-cased names; values raw (quoted values keep their quotes). */
  params: HeaderParams;
}

function readToken(text: string, from: number): number {
  let i = from;
  while (i < text.length && isClass(text.charCodeAt(i), TOKEN)) i++;
  return i;
}

export function parseContentType(value: string): ContentType | undefined {
  const typeStart = skipLws(value, 0);
  const typeEnd = readToken(value, typeStart);
  if (typeEnd === typeStart) return undefined;
  const slash = skipLws(value, typeEnd);
  if (value.charCodeAt(slash) !== 0x2f) return undefined;
  const subStart = skipLws(value, slash + 1);
  const subEnd = readToken(value, subStart);
  if (subEnd === subStart) return undefined;
  const params = parseParams(value, subEnd);
  if (!params) return undefined;
  const type = value.slice(typeStart, typeEnd).toLowerCase();
  const subtype = value.slice(subStart, subEnd).toLowerCase();
  return { mediaType: `${type}/${subtype}`, type, subtype, params };
}

/** A parameter's value with quotes removed (e.g. the multipart `boundary`). */
export function contentTypeParam(contentType: ContentType, name: string): string | undefined {
  const raw = contentType.params.get(name.toLowerCase());
  if (raw === undefined || raw === null) return undefined;
  return raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? unquote(raw.slice(1, -1)) : raw;
}
