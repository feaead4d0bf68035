// Splitting comma-separated header values (RFC 3261 §7.3.1). A comma inside a
// quoted-string, inside <...>, or escaped with a backslash in a quoted-string
// does not separate elements.

import { trimLws } from './char-classes.js';

/** Index of the first top-level comma at or after `from`, or -1. */
function nextSeparator(value: string, from: number): number {
  let inQuotes = false;
  let inAngle = false;
  for (let i = from; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (inQuotes) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inQuotes = false;
    } else if (code === 0x22) inQuotes = true;
    else if (code === 0x3c) inAngle = true;
    else if (code === 0x3e) inAngle = false;
    else if (code === 0x2c && !inAngle) return i;
  }
  return -1;
}

/**
 * Split a header value into its list elements, trimmed. Empty elements are
 * kept (as '') so that grammar checks can reject `a,,b`; an empty value gives [].
 */
export function splitHeaderList(value: string): string[] {
  if (value.indexOf(',') === -1) {
    const only = trimLws(value);
    return only === '' ? [] : [only];
  }
  const parts: string[] = [];
  let start = 0;
  while (true) {
    const comma = nextSeparator(value, start);
    if (comma === -1) {
      parts.push(trimLws(value.slice(start)));
      return parts;
    }
    parts.push(trimLws(value.slice(start, comma)));
    start = comma + 1;
  }
}

/** The first list element only, without splitting the rest (the top Via). */
export function firstListElement(value: string): string {
  if (value.indexOf(',') === -1) return trimLws(value);
  const comma = nextSeparator(value, 0);
  return trimLws(comma === -1 ? value : value.slice(0, comma));
}
