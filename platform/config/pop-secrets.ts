// Secrets a POP file gives either inline (loopback POPs) or as a file (production). Read
// at use, not at load, so a rotated secret file is picked up on the next read and the
// loaded config never holds the production secret.
//
// The one secret-file reader of the codebase (engine, SBC, phones, ops token): a secret
// is the file's first line that is not blank, without surrounding whitespace, so an
// editor's trailing newline, a trailing space or a leading blank line changes nothing.
import { readFileSync } from 'node:fs';
import type { PopConfig } from './pop-schema.js';

/** A secret file that cannot be read or holds no secret. */
export class SecretFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretFileError';
  }
}

/** The secret in `file`; `what` names it in the error (e.g. "engine.secretFile"). */
export function readSecretFile(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SecretFileError(`${what} ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const secret = text.split(/\r?\n/).map((line) => line.trim()).find((line) => line !== '');
  if (secret === undefined) throw new SecretFileError(`${what} ${file} is empty`);
  return secret;
}

/** The drachtio control protocol secret: engine.secret, or the secret in engine.secretFile. */
export function engineSecret(pop: PopConfig): string {
  if (pop.engine.secret !== undefined) return pop.engine.secret;
  return readSecretFile(pop.engine.secretFile as string, 'engine.secretFile');
}

/** The bearer token of the ops endpoint, when ops.tokenFile is set. */
export function opsToken(pop: PopConfig): string | undefined {
  return pop.ops.tokenFile === undefined ? undefined : readSecretFile(pop.ops.tokenFile, 'ops.tokenFile');
}

/** Digest credentials of phones listed in the POP file with a password, username to password (HA1-only ones are not). */
export function phonePasswords(pop: PopConfig): Map<string, string> {
  const passwords = new Map<string, string>();
  for (const credential of pop.phones?.credentials ?? []) {
    if (credential.password === undefined && credential.passwordFile === undefined) continue;
    passwords.set(credential.username, credential.password ?? readSecretFile(credential.passwordFile as string, `password file of ${credential.username}`));
  }
  return passwords;
}
