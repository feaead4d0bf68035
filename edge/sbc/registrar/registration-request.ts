// What a REGISTER asks for: its Contact (or "*"), and the expiry it requests, bounded by
// the POP's limits (RFC 3261 §10.3: too short gets 423 with Min-Expires). Pure.

export interface ExpiryBounds {
  min: number;
  max: number;
  default: number;
}

export type RegistrationIntent =
  | { kind: 'bind'; contact: string; expires: number }
  | { kind: 'unbind' }
  | { kind: 'query' }
  | { kind: 'too-brief'; minExpires: number }
  | { kind: 'invalid'; reason: string };

export function registrationIntent(contactHeader: string | undefined, expiresHeader: string | undefined, bounds: ExpiryBounds): RegistrationIntent {
  if (contactHeader === undefined || contactHeader.trim() === '') return { kind: 'query' };
  const headerExpires = expiresHeader !== undefined && /^\s*\d+\s*$/.test(expiresHeader) ? Number(expiresHeader) : undefined;
  if (contactHeader.trim() === '*') {
    return headerExpires === 0 ? { kind: 'unbind' } : { kind: 'invalid', reason: 'Contact "*" needs Expires: 0' };
  }
  // One Contact per phone: the first one is the phone's.
  const first = /^\s*(?:"[^"]*"\s*|[^<,"]*)?<([^>]+)>([^,]*)|^\s*([^;,\s]+)([^,]*)/.exec(contactHeader);
  if (!first) return { kind: 'invalid', reason: 'Contact is not a SIP URI' };
  const uri = first[1] ?? first[3]!;
  const params = first[2] ?? first[4] ?? '';
  if (!/^sips?:/i.test(uri)) return { kind: 'invalid', reason: 'Contact is not a SIP URI' };
  const paramExpires = /;\s*expires\s*=\s*(\d+)/i.exec(params)?.[1];
  const requested = paramExpires !== undefined ? Number(paramExpires) : headerExpires ?? bounds.default;
  if (requested === 0) return { kind: 'unbind' };
  if (requested < bounds.min) return { kind: 'too-brief', minExpires: bounds.min };
  return { kind: 'bind', contact: uri, expires: Math.min(requested, bounds.max) };
}
