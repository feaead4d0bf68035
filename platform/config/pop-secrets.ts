// Secrets a POP file gives either inline (loopback POPs) or as a file (production). Read
// at use, not at load, so a rotated secret file is picked up on the next read and the
// loaded config never holds the production secret.
import { readFileSync } from 'node:fs';
import type { PopConfig } from './pop-schema.js';

/** The drachtio control protocol secret: engine.secret, or engine.secretFile's first line. */
export function engineSecret(pop: PopConfig): string {
  if (pop.engine.secret !== undefined) return pop.engine.secret;
  return firstLineOf(pop.engine.secretFile as string, 'engine.secretFile');
}

/** Digest credentials of phones listed in the POP file, username to password. */
export function phonePasswords(pop: PopConfig): Map<string, string> {
  const passwords = new Map<string, string>();
  for (const credential of pop.phones?.credentials ?? []) {
    passwords.set(credential.username, credential.password ?? firstLineOf(credential.passwordFile as string, `password file of ${credential.username}`));
  }
  return passwords;
}

/** The first line of a secret file, never empty; the one way secrets are read from files. */
export function firstLineOf(file: string, what: string): string {
  const line = readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new Error(`${what} ${file} is empty`);
  return line;
}
