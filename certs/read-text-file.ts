// Reading a PEM file the operator named: a missing or unreadable file is a one-line
// CertificateError naming it, not a stack trace.
import { readFile } from 'node:fs/promises';
import { CertificateError } from './certificate-error.js';

export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CertificateError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
