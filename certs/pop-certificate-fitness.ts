// Whether a POP's certificate still fits the POP: it names every address and host name
// carriers connect to (a listener's publicAddress may change after the certificate was
// issued), and it is not about to expire. Meant for monitoring and deploy checks, before
// a carrier's handshake finds out.
import type { X509Certificate } from 'node:crypto';
import type { PopConfig } from '../platform/config/pop-schema.js';
import { popCertificateNames } from './pop-certificate-names.js';

const DAY_MS = 86_400_000;

export interface FitnessOptions {
  now: Date;
  /** Fewer days of validity left than this is a problem. */
  minDaysLeft: number;
}

/** Problems, one sentence each; empty when the certificate fits. */
export function popCertificateFitnessProblems(pop: PopConfig, certificate: X509Certificate, options: FitnessOptions): string[] {
  const problems: string[] = [];
  const names = popCertificateNames(pop);
  for (const address of names.ipAddresses) {
    if (certificate.checkIP(address) === undefined) problems.push(`does not name IP ${address}, an address of a TLS listener`);
  }
  for (const host of names.dnsNames) {
    if (certificate.checkHost(host) === undefined) problems.push(`does not name ${host}, a public host name of a TLS listener`);
  }
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  const daysLeft = Math.floor((notAfter.getTime() - options.now.getTime()) / DAY_MS);
  if (options.now < notBefore) problems.push(`is not valid before ${notBefore.toISOString()}`);
  else if (options.now > notAfter) problems.push(`expired on ${notAfter.toISOString()}`);
  else if (daysLeft < options.minDaysLeft) {
    problems.push(`expires on ${notAfter.toISOString()}, in ${daysLeft} days (less than ${options.minDaysLeft}); rotate it`);
  }
  return problems;
}
