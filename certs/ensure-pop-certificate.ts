// The first-run path: a POP whose TLS files do not exist yet and that allows it
// (tls.generateIfMissing) gets a local CA under its stateDir and a certificate from that
// CA at the configured paths. Existing files are never touched, so running it on every
// `vpop up` changes nothing once they are there.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PopConfig } from '../platform/config/pop-schema.js';
import { caFilesIn, readCertificateAuthority, writeCertificateAuthority } from './ca-directory.js';
import { createCertificateAuthority, type CertificateAuthority } from './certificate-authority.js';
import { CertificateError } from './certificate-error.js';
import { replaceKeyAndCertificate } from './certificate-files.js';
import { issueCoreCertificate, issuePopCertificate, localCaDirectory, type PopCertificateOptions } from './pop-certificate-issuer.js';

export type EnsureOutcome =
  /** The POP has no tls section. */
  | { action: 'no-tls' }
  /** Both files exist; nothing was written. */
  | { action: 'present'; certFile: string; keyFile: string }
  | { action: 'created'; certFile: string; keyFile: string; caCertFile: string; createdCa: boolean };

export async function ensurePopCertificate(pop: PopConfig, options: PopCertificateOptions = {}): Promise<EnsureOutcome> {
  const outcome = await ensureEdgeCertificate(pop, options);
  await ensureCoreCertificate(pop, options);
  return outcome;
}

/**
 * A local POP's routing core gets its link certificate the same way: when routingCore
 * names a certFile/keyFile that do not exist, tls.generateIfMissing is set and the core
 * link's CA is the POP's local CA, the pair is issued from that CA. Anything else that is
 * missing is left to `vpop config check` to report.
 */
async function ensureCoreCertificate(pop: PopConfig, options: PopCertificateOptions): Promise<void> {
  const core = pop.routingCore;
  if (!pop.tls?.generateIfMissing || core.certFile === undefined || core.keyFile === undefined) return;
  const [certExists, keyExists] = await Promise.all([fileExists(core.certFile), fileExists(core.keyFile)]);
  if (certExists && keyExists) return;
  if (certExists !== keyExists) {
    throw new CertificateError(`POP ${pop.pop.id}: only one of routingCore.certFile and keyFile exists; remove it to have a new pair made`);
  }
  const caDirectory = localCaDirectory(pop);
  if (core.caFile !== undefined && resolve(core.caFile) !== resolve(caFilesIn(caDirectory).certFile)) return;
  const { ca } = await localCertificateAuthority(pop, caDirectory, options.now);
  await replaceKeyAndCertificate({ certFile: core.certFile, keyFile: core.keyFile }, issueCoreCertificate(pop, ca, options));
}

async function ensureEdgeCertificate(pop: PopConfig, options: PopCertificateOptions): Promise<EnsureOutcome> {
  const { tls } = pop;
  if (!tls) return { action: 'no-tls' };
  const [certExists, keyExists] = await Promise.all([fileExists(tls.certFile), fileExists(tls.keyFile)]);
  if (certExists && keyExists) return { action: 'present', certFile: tls.certFile, keyFile: tls.keyFile };
  if (certExists !== keyExists) {
    const [present, missing] = certExists ? [tls.certFile, tls.keyFile] : [tls.keyFile, tls.certFile];
    throw new CertificateError(
      `POP ${pop.pop.id}: ${present} exists but ${missing} does not; restore the missing file or remove both to have a new pair made`,
    );
  }
  if (!tls.generateIfMissing) {
    throw new CertificateError(
      `POP ${pop.pop.id}: ${tls.certFile} does not exist and tls.generateIfMissing is false; issue one (vpop certs csr, then vpop certs install)`,
    );
  }
  const caDirectory = localCaDirectory(pop);
  const { ca, created } = await localCertificateAuthority(pop, caDirectory, options.now);
  await replaceKeyAndCertificate(tls, issuePopCertificate(pop, ca, options));
  return { action: 'created', certFile: tls.certFile, keyFile: tls.keyFile, caCertFile: caFilesIn(caDirectory).certFile, createdCa: created };
}

/** The POP's local CA, made on first use. */
async function localCertificateAuthority(
  pop: PopConfig,
  directory: string,
  now: Date | undefined,
): Promise<{ ca: CertificateAuthority; created: boolean }> {
  if (await fileExists(caFilesIn(directory).certFile)) return { ca: await readCertificateAuthority(directory, now), created: false };
  const ca = createCertificateAuthority({
    commonName: `VPOP local CA ${pop.pop.id}`,
    organization: `VPOP ${pop.pop.id}`,
    ...(now !== undefined ? { now } : {}),
  });
  try {
    await writeCertificateAuthority(directory, ca);
    return { ca, created: true };
  } catch (error) {
    // Another first run made it a moment ago: use theirs.
    if (error instanceof CertificateError && (await fileExists(caFilesIn(directory).certFile))) {
      return { ca: await readCertificateAuthority(directory, now), created: false };
    }
    throw error;
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CertificateError(`cannot check ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
