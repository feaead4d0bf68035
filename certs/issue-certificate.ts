// Turns a CSR into an end-entity certificate signed by a CA. The CA decides what the
// certificate may do (key usage, EKU, lifetime); from the request it takes only the
// subject, the public key and the DNS/IP subjectAltNames.
import forge from 'node-forge';
import type { CertificateAuthority } from './certificate-authority.js';
import { CertificateError } from './certificate-error.js';
import { normaliseDnsNames, normaliseIpAddresses } from './certificate-names.js';
import { readCertificateRequest } from './certificate-request.js';
import { randomSerialNumber } from './serial-number.js';
import { validityPeriod } from './validity-period.js';

/** server: TLS server only; client: mutual-TLS client only; both: a SIP peer that accepts and opens TLS connections. */
export const certificateUsages = ['server', 'client', 'both'] as const;
export type CertificateUsage = (typeof certificateUsages)[number];

export interface IssueCertificateOptions {
  ca: CertificateAuthority;
  /** PEM certificate request. */
  request: string;
  /** Where the request came from, for error messages. */
  requestSource?: string;
  /** Default 365. */
  days?: number;
  /** Default 'both': a POP is a TLS server to carriers and a TLS client towards them. */
  usage?: CertificateUsage;
  now?: Date;
}

export function issueCertificate(options: IssueCertificateOptions): string {
  const { ca } = options;
  const usage = options.usage ?? 'both';
  const request = readCertificateRequest(options.request, options.requestSource);
  const dnsNames = normaliseDnsNames(request.dnsNames);
  const ipAddresses = normaliseIpAddresses(request.ipAddresses);
  if (usage !== 'client' && dnsNames.length + ipAddresses.length === 0) {
    throw new CertificateError(
      `${options.requestSource ?? 'the CSR'} requests no DNS or IP subjectAltName; TLS clients verify a server certificate against those names only`,
    );
  }
  const { notBefore, notAfter } = validityPeriod(options.now ?? new Date(), options.days ?? 365);
  if (notAfter > ca.certificate.validity.notAfter) {
    throw new CertificateError(
      `a certificate valid until ${notAfter.toISOString()} would outlive its CA (valid until ${ca.certificate.validity.notAfter.toISOString()}); issue it for fewer days`,
    );
  }

  const certificate = forge.pki.createCertificate();
  certificate.publicKey = request.publicKey;
  certificate.serialNumber = randomSerialNumber();
  certificate.validity.notBefore = notBefore;
  certificate.validity.notAfter = notAfter;
  certificate.setSubject(request.subject);
  certificate.setIssuer(ca.certificate.subject.attributes);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: usage !== 'client', clientAuth: usage !== 'server' },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyIdentifier(ca.certificate) },
  ];
  const altNames = [
    ...dnsNames.map((value) => ({ type: 2, value })),
    ...ipAddresses.map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  certificate.setExtensions(extensions);
  certificate.sign(ca.keyPair.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}

/** The CA's own subjectKeyIdentifier when it has one (a CA made elsewhere may compute it differently). */
function authorityKeyIdentifier(caCertificate: forge.pki.Certificate): string {
  const extension = caCertificate.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  if (extension?.subjectKeyIdentifier) return forge.util.hexToBytes(extension.subjectKeyIdentifier);
  return caCertificate.generateSubjectKeyIdentifier().getBytes();
}
