// A CA kept on disk as a directory: ca.crt (the certificate peers trust) and ca.key
// (mode 0600). A new CA directory appears in one rename, so two first runs racing each
// other cannot leave a certificate from one and a key from the other.
import { chmod, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomically } from './atomic-file-write.js';
import { certificateAuthorityFromPem, type CertificateAuthority } from './certificate-authority.js';
import { CertificateError } from './certificate-error.js';
import { CERTIFICATE_MODE, PRIVATE_KEY_MODE } from './certificate-files.js';
import { readTextFile } from './read-text-file.js';

export interface CaFiles {
  certFile: string;
  keyFile: string;
}

export function caFilesIn(directory: string): CaFiles {
  return { certFile: join(directory, 'ca.crt'), keyFile: join(directory, 'ca.key') };
}

export async function readCertificateAuthority(directory: string, now: Date = new Date()): Promise<CertificateAuthority> {
  const files = caFilesIn(directory);
  // One after the other, so a missing CA is always reported by its certificate file.
  const certificatePem = await readTextFile(files.certFile);
  const privateKeyPem = await readTextFile(files.keyFile);
  return certificateAuthorityFromPem(certificatePem, privateKeyPem, files, now);
}

/** Throws CertificateError when `directory` exists and is not empty: a CA is never overwritten. */
export async function checkCaDirectoryFree(directory: string): Promise<void> {
  const entries = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) throw caExists(directory);
}

/** Writes a new CA directory; throws CertificateError when one already exists there. */
export async function writeCertificateAuthority(directory: string, ca: CertificateAuthority): Promise<CaFiles> {
  await mkdir(dirname(directory), { recursive: true });
  const building = await mkdtemp(join(dirname(directory), `.${basename(directory)}-`));
  try {
    // mkdtemp makes 0700; ca.crt must stay readable for the clients that trust it (the key is 0600).
    await chmod(building, 0o755);
    const files = caFilesIn(building);
    await writeFileAtomically(files.keyFile, ca.keyPair.privateKeyPem, PRIVATE_KEY_MODE);
    await writeFileAtomically(files.certFile, ca.certificatePem, CERTIFICATE_MODE);
    await rename(building, directory);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTEMPTY') {
      throw caExists(directory);
    }
    throw error;
  }
  return caFilesIn(directory);
}

function caExists(directory: string): CertificateError {
  return new CertificateError(`${directory} already exists; a CA is never overwritten (move it away first to make a new one)`);
}
