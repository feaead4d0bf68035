// A CA that signs POP and carrier certificates: a self-signed root that may sign end-entity
// certificates only (pathlen 0), so a leaked POP key can never mint further certificates.
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { CertificateError, errorReason } from './certificate-error.js';
import { generateRsaKeyPair, rsaKeyPairFromPem, type RsaKeyPair, type RsaKeySize } from './rsa-key-pair.js';
import { randomSerialNumber } from './serial-number.js';
import { validityPeriod } from './validity-period.js';

export interface CertificateAuthority {
  certificatePem: string;
  certificate: forge.pki.Certificate;
  keyPair: RsaKeyPair;
}

export interface CreateCertificateAuthorityOptions {
  commonName: string;
  organization?: string;
  /** Default 3650 (ten years). */
  days?: number;
  /** Default 3072. */
  keyBits?: RsaKeySize;
  now?: Date;
}

export function createCertificateAuthority(options: CreateCertificateAuthorityOptions): CertificateAuthority {
  const { notBefore, notAfter } = validityPeriod(options.now ?? new Date(), options.days ?? 3650);
  const keyPair = generateRsaKeyPair(options.keyBits ?? 3072);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keyPair.publicKey;
  certificate.serialNumber = randomSerialNumber();
  certificate.validity.notBefore = notBefore;
  certificate.validity.notAfter = notAfter;
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: options.commonName }];
  if (options.organization) subject.push({ name: 'organizationName', value: options.organization });
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  certificate.sign(keyPair.privateKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), certificate, keyPair };
}

/**
 * A CA from its certificate and key in PEM; throws CertificateError when the certificate
 * is not a CA, is outside its validity at `now`, or the key is not its key.
 */
export function certificateAuthorityFromPem(
  certificatePem: string,
  privateKeyPem: string,
  source: { certFile: string; keyFile: string },
  now: Date = new Date(),
): CertificateAuthority {
  let x509: X509Certificate;
  let certificate: forge.pki.Certificate;
  try {
    x509 = new X509Certificate(certificatePem);
    certificate = forge.pki.certificateFromPem(certificatePem);
  } catch (error) {
    throw new CertificateError(`${source.certFile} does not hold an RSA certificate in PEM (${errorReason(error)})`);
  }
  if (!x509.ca) throw new CertificateError(`${source.certFile} is not a CA certificate (basicConstraints CA:FALSE or absent)`);
  if (now > new Date(x509.validTo)) throw new CertificateError(`the CA certificate ${source.certFile} expired on ${new Date(x509.validTo).toISOString()}`);
  const keyPair = rsaKeyPairFromPem(privateKeyPem, source.keyFile);
  const publicKey = certificate.publicKey as forge.pki.rsa.PublicKey;
  if (publicKey.n.compareTo(keyPair.publicKey.n) !== 0 || publicKey.e.compareTo(keyPair.publicKey.e) !== 0) {
    throw new CertificateError(`${source.keyFile} is not the private key of the CA certificate ${source.certFile}`);
  }
  return { certificatePem, certificate, keyPair };
}
