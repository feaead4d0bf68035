// Session-Expires = delta-seconds *(SEMI se-params), se-params = refresher-param / generic-param
// (RFC 4028 §4); Min-SE = delta-seconds *(SEMI generic-param).

import { skipLws } from './char-classes.js';
import { parseParams, type HeaderParams } from './header-params.js';

export interface SessionExpires {
  deltaSeconds: number;
  refresher?: 'uac' | 'uas';
  params: HeaderParams;
}

const MAX_DELTA = 2 ** 32 - 1;

/** delta-seconds followed by parameters; returns [seconds, end] or undefined. */
function readDelta(value: string): [number, number] | undefined {
  const start = skipLws(value, 0);
  let i = start;
  let n = 0;
  while (i < value.length) {
    const code = value.charCodeAt(i);
    if (code < 0x30 || code > 0x39) break;
    n = n * 10 + (code - 0x30);
    if (n > MAX_DELTA) return undefined;
    i++;
  }
  return i === start ? undefined : [n, i];
}

export function parseSessionExpires(value: string): SessionExpires | undefined {
  const delta = readDelta(value);
  if (!delta) return undefined;
  const params = parseParams(value, delta[1]);
  if (!params) return undefined;
  const result: SessionExpires = { deltaSeconds: delta[0], params };
  const refresher = params.get('refresher')?.toLowerCase();
  if (refresher === 'uac' || refresher === 'uas') result.refresher = refresher;
  else if (refresher !== undefined) return undefined;
  return result;
}

/** Min-SE: delta-seconds, parameters ignored. */
export function parseMinSE(value: string): number | undefined {
  const delta = readDelta(value);
  if (!delta || !parseParams(value, delta[1])) return undefined;
  return delta[0];
}

export function formatSessionExpires(se: SessionExpires): string {
  const params = new Map(se.params);
  if (se.refresher !== undefined) params.set('refresher', se.refresher);
  let out = String(se.deltaSeconds);
  for (const [name, v] of params) out += v === null ? `;${name}` : `;${name}=${v}`;
  return out;
}
