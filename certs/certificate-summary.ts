// What an operator needs to know about a certificate file: who it is for, who signed it,
// when it expires, and the SHA-256 fingerprint in the form POP files use for
// trunks[].clientCert.fingerprintSha256 (upper-case hex pairs joined by colons).
import { X509Certificate } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { CertificateError, errorReason } from './certificate-error.js';

export interface CertificateSummary {
  /** Distinguished name as "CN=..., O=...". */
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
  dnsNames: string[];
  ipAddresses: string[];
  isCertificateAuthority: boolean;
}

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The first certificate in a PEM text (the leaf of a bundle); throws CertificateError naming `source`. */
export function parseFirstCertificate(pem: string, source = 'the file'): X509Certificate {
  const block = pem.match(pemCertificate)?.[0];
  if (block === undefined) throw new CertificateError(`${source} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  try {
    return new X509Certificate(block);
  } catch (error) {
    throw new CertificateError(`the certificate in ${source} does not parse (${errorReason(error)})`);
  }
}

/** Summaries of every certificate in a PEM text (a leaf, a chain or a CA bundle), in order. */
export function summarizeCertificates(pem: string, source = 'the file'): CertificateSummary[] {
  const blocks = pem.match(pemCertificate) ?? [];
  if (blocks.length === 0) throw new CertificateError(`${source} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((block, index) => {
    try {
      return summarizeCertificate(new X509Certificate(block));
    } catch (error) {
      throw new CertificateError(`certificate ${index + 1} in ${source} does not parse (${errorReason(error)})`);
    }
  });
}

export function summarizeCertificate(certificate: X509Certificate): CertificateSummary {
  const { dnsNames, ipAddresses } = subjectAltNames(certificate.subjectAltName);
  return {
    subject: distinguishedName(certificate.subject),
    issuer: distinguishedName(certificate.issuer),
    serialNumber: certificate.serialNumber.toLowerCase(),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
    fingerprintSha256: certificate.fingerprint256,
    dnsNames,
    ipAddresses,
    isCertificateAuthority: certificate.ca,
  };
}

/** Human-readable lines, the output of `vpop certs show`. */
export function formatCertificateSummary(summary: CertificateSummary, now: Date): string {
  const daysLeft = Math.floor((summary.notAfter.getTime() - now.getTime()) / 86_400_000);
  const state = now < summary.notBefore ? 'not yet valid' : daysLeft < 0 ? 'EXPIRED' : `${daysLeft} days left`;
  return [
    `subject:      ${summary.subject}`,
    `issuer:       ${summary.issuer}`,
    `dns names:    ${summary.dnsNames.join(', ') || '(none)'}`,
    `ip addresses: ${summary.ipAddresses.join(', ') || '(none)'}`,
    `not before:   ${summary.notBefore.toISOString()}`,
    `not after:    ${summary.notAfter.toISOString()} (${state})`,
    `serial:       ${summary.serialNumber}`,
    `ca:           ${summary.isCertificateAuthority ? 'yes' : 'no'}`,
    `sha256:       ${summary.fingerprintSha256}`,
  ].join('\n');
}

/** Node prints the DN one attribute per line. */
function distinguishedName(text: string): string {
  return text.split('\n').filter((line) => line !== '').join(', ');
}

/** Node's subjectAltName text, e.g. "DNS:sip.example.net, IP Address:127.0.0.1". */
export function subjectAltNames(text: string | undefined): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const entry of (text ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) dnsNames.push(entry.slice(4));
    else if (entry.startsWith('IP Address:')) {
      const address = entry.slice('IP Address:'.length);
      // Node writes IPv6 in full upper-case form; show it as people write it.
      ipAddresses.push(ipaddr.isValid(address) ? ipaddr.parse(address).toString() : address);
    }
  }
  return { dnsNames, ipAddresses };
}
