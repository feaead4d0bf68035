// Via branch generation (RFC 3261 §8.1.1.7): the magic cookie then a value
// unique across space and time. randomUUID draws from a cached entropy pool,
// so it is cheap enough for every request and unguessable by off-path senders.

import { randomUUID } from 'node:crypto';
import { MAGIC_COOKIE } from './header-fields.js';

export function newBranch(): string {
  return `${MAGIC_COOKIE}${randomUUID()}`;
}

/** A To tag for responses the transaction layer itself has to generate. */
export function newTag(): string {
  return randomUUID().slice(0, 13).replace('-', '');
}
