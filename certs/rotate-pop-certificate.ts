// Rotation: a new key and certificate for a POP, swapped in atomically with the old pair
// kept as .prev. Calls in progress are unaffected: their TLS connections keep the
// session they negotiated, and only connections made after the engine reloads its
// certificates (SIGHUP or watchCertificateFiles) see the new pair.
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { PopConfig } from '../platform/config/pop-schema.js';
import { readCertificateAuthority } from './ca-directory.js';
import { CertificateError, errorReason } from './certificate-error.js';
import { replaceKeyAndCertificate, type ReplacedFiles } from './certificate-files.js';
import { parseFirstCertificate, summarizeCertificate, type CertificateSummary } from './certificate-summary.js';
import { issuePopCertificate, localCaDirectory, type PopCertificateOptions } from './pop-certificate-issuer.js';
import { readTextFile } from './read-text-file.js';

export interface RotationOutcome extends ReplacedFiles {
  certificate: CertificateSummary;
  /** The installed key's source file, removed so that the live key has no second copy. */
  removedKeyFile?: string;
}

export interface RotateOptions extends PopCertificateOptions {
  /** The CA directory (ca.crt, ca.key) to issue from; default the POP's local CA, <stateDir>/ca. */
  caDirectory?: string;
}

export async function rotatePopCertificate(pop: PopConfig, options: RotateOptions = {}): Promise<RotationOutcome> {
  const tls = popTlsFiles(pop);
  const ca = await readCertificateAuthority(options.caDirectory ?? localCaDirectory(pop), options.now);
  const pair = issuePopCertificate(pop, ca, options);
  const replaced = await replaceKeyAndCertificate(tls, pair);
  return { ...replaced, certificate: summarizeCertificate(new X509Certificate(pair.certificatePem)) };
}

/**
 * Installs a key and certificate issued elsewhere (from `vpop certs csr` and the
 * operator's CA) the same atomic way. Refuses a pair that does not match or is not valid
 * now, so a mistake never reaches the engine.
 */
export async function installPopCertificate(
  pop: PopConfig,
  files: { certFile: string; keyFile: string },
  now: Date = new Date(),
): Promise<RotationOutcome> {
  const tls = popTlsFiles(pop);
  const [certificatePem, privateKeyPem] = await Promise.all([readTextFile(files.certFile), readTextFile(files.keyFile)]);
  const certificate = parseFirstCertificate(certificatePem, files.certFile);
  let keyMatches: boolean;
  try {
    keyMatches = certificate.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch (error) {
    throw new CertificateError(`${files.keyFile} does not hold an unencrypted PEM private key (${errorReason(error)})`);
  }
  if (!keyMatches) throw new CertificateError(`${files.keyFile} is not the private key of ${files.certFile}`);
  const summary = summarizeCertificate(certificate);
  if (now < summary.notBefore || now > summary.notAfter) {
    throw new CertificateError(`${files.certFile} is valid from ${summary.notBefore.toISOString()} to ${summary.notAfter.toISOString()}, not now`);
  }
  const replaced = await replaceKeyAndCertificate(tls, { certificatePem, privateKeyPem });
  // The key now lives in tls.keyFile (and .prev holds the old one); a leftover
  // <key>.next would be a second copy of the live private key.
  const removedKeyFile = resolve(files.keyFile) === resolve(tls.keyFile) ? undefined : resolve(files.keyFile);
  if (removedKeyFile !== undefined) await rm(removedKeyFile, { force: true });
  return { ...replaced, certificate: summary, ...(removedKeyFile !== undefined ? { removedKeyFile } : {}) };
}

export function popTlsFiles(pop: PopConfig): NonNullable<PopConfig['tls']> {
  if (!pop.tls) throw new CertificateError(`POP ${pop.pop.id} has no tls section; add one with certFile and keyFile`);
  return pop.tls;
}
