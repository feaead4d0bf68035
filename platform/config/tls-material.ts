// What is inside the TLS files a POP names: a certificate that parses and is within its
// validity period, a private key that belongs to it, CA and chain bundles of certificates.
// Found here, a wrong file is a config error with a line number; found at the first
// carrier handshake, it is an outage.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export type PemReading<T> = { value: T } | { problem: string };

/** Every certificate in a PEM bundle; a problem when there is none or one does not parse. */
export function readCertificates(file: string): PemReading<X509Certificate[]> {
  const text = readText(file);
  if (typeof text !== 'string') return text;
  const blocks = text.match(pemCertificate) ?? [];
  if (blocks.length === 0) return { problem: 'the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)' };
  const certificates: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch (error) {
      return { problem: `certificate ${index + 1} in the file does not parse (${reason(error)})` };
    }
  }
  return { value: certificates };
}

export function readPrivateKey(file: string): PemReading<KeyObject> {
  const text = readText(file);
  if (typeof text !== 'string') return text;
  try {
    return { value: createPrivateKey(text) };
  } catch (error) {
    return { problem: `the file holds no usable PEM private key (${reason(error)})` };
  }
}

/** A problem when the certificate is not valid at `now`. */
export function validityProblem(certificate: X509Certificate, now: Date): string | undefined {
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (now < notBefore) return `certificate ${certificate.subject.replace(/\n/g, ', ')} is not valid before ${notBefore.toISOString()}`;
  if (now > notAfter) return `certificate ${certificate.subject.replace(/\n/g, ', ')} expired on ${notAfter.toISOString()}`;
  return undefined;
}

function readText(file: string): string | { problem: string } {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    return { problem: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? reason(error)})` };
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
