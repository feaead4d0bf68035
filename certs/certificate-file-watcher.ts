// Tells a TLS server when its certificate files have been replaced (by `vpop certs
// rotate`/`install`, Ansible or an ACME client), so it can load them for new connections.
// It watches the directories, not the files: an atomic replace is a rename, which gives
// the path a new inode that a watch on the old one would never see. It reports a change
// only once the key matches the certificate, because the key and the certificate are
// renamed one after the other.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { componentLogger } from '../platform/logging/logger.js';
import { CertificateError, errorReason } from './certificate-error.js';
import { summarizeCertificate, type CertificateSummary } from './certificate-summary.js';

export interface CertificateFileWatcherOptions {
  certFile: string;
  keyFile: string;
  /** Called once per new matching pair; a rejection is logged, and the next change is still reported. */
  onChange: (certificate: CertificateSummary) => void | Promise<void>;
  /** Quiet time after the last file event before the pair is read. Default 200 ms. */
  debounceMs?: number;
  logger?: Logger;
}

export interface CertificateFileWatcher {
  /** Resolves once the files in place at start have been read, so later changes compare against them. */
  ready: Promise<void>;
  close(): void;
}

/** Throws CertificateError when a directory cannot be watched (e.g. it does not exist). */
export function watchCertificateFiles(options: CertificateFileWatcherOptions): CertificateFileWatcher {
  const logger = options.logger ?? componentLogger('certificate-watcher');
  const debounceMs = options.debounceMs ?? 200;
  const names = new Set([basename(options.certFile), basename(options.keyFile)]);
  let current: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  // One check at a time; a change during a check schedules another after it.
  let checking: Promise<void> = Promise.resolve();

  const check = async (): Promise<void> => {
    const pair = await readMatchingPair(options.certFile, options.keyFile);
    if (closed || !pair || pair.fingerprintSha256 === current) return;
    current = pair.fingerprintSha256;
    logger.info({ certFile: options.certFile, fingerprintSha256: pair.fingerprintSha256, notAfter: pair.notAfter }, 'certificate files replaced');
    try {
      await options.onChange(pair);
    } catch (error) {
      logger.error({ err: error, certFile: options.certFile }, 'reloading the replaced certificate failed');
    }
  };
  const schedule = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      checking = checking.then(check);
    }, debounceMs);
  };

  const watchers: FSWatcher[] = [];
  for (const directory of new Set([dirname(options.certFile), dirname(options.keyFile)])) {
    try {
      watchers.push(watch(directory, { persistent: false }, (_event, file) => {
        if (file === null || names.has(file)) schedule();
      }).on('error', (error) => logger.warn({ err: error, directory }, 'certificate directory watch failed')));
    } catch (error) {
      for (const watcher of watchers) watcher.close();
      throw new CertificateError(`cannot watch ${directory} for certificate changes (${(error as NodeJS.ErrnoException).code ?? errorReason(error)})`);
    }
  }
  const ready = readMatchingPair(options.certFile, options.keyFile).then((pair) => {
    current ??= pair?.fingerprintSha256;
  });
  checking = ready;

  return {
    ready,
    close(): void {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/** The certificate's summary when both files read, parse and belong together; otherwise undefined. */
async function readMatchingPair(certFile: string, keyFile: string): Promise<CertificateSummary | undefined> {
  try {
    const [certificatePem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const certificate = new X509Certificate(certificatePem);
    if (!certificate.checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    return summarizeCertificate(certificate);
  } catch {
    return undefined;
  }
}
