// The master key that wraps every recording's data key: 32 bytes, written in a key file
// as 64 hex digits or base64 on its first line.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { readSecretFile } from '../../platform/config/pop-secrets.js';

export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

export function readMasterKey(file: string): Buffer {
  let line: string;
  try {
    line = readSecretFile(file, 'recording master key file');
  } catch (error) {
    throw new MasterKeyError(`cannot read the recording master key file ${file}: ${(error as Error).message}`);
  }
  const key = /^[0-9a-fA-F]{64}$/.test(line) ? Buffer.from(line, 'hex') : Buffer.from(line, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(line) && key.toString('base64') !== line)) {
    throw new MasterKeyError(`recording master key file ${file} must hold 32 bytes as 64 hex digits or base64 on its first line`);
  }
  return key;
}

/** Writes a new random master key (mode 0600) unless the file exists; returns whether it wrote one. */
export function createMasterKeyFile(file: string): boolean {
  if (existsSync(file)) return false;
  writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return true;
}
