// Certificate signing requests (PKCS#10): the POP makes one with its new key and names,
// a CA turns it into a certificate. The private key never leaves the POP.
import forge from 'node-forge';
import { CertificateError, errorReason } from './certificate-error.js';
import { normaliseCertificateNames, type CertificateNames } from './certificate-names.js';
import type { RsaKeyPair } from './rsa-key-pair.js';

/** GeneralName tags in subjectAltName (RFC 5280 §4.2.1.6). */
const DNS_NAME = 2;
const IP_ADDRESS = 7;

export interface CertificateRequest {
  /** The subject exactly as requested. */
  subject: forge.pki.CertificateField[];
  commonName: string | undefined;
  dnsNames: string[];
  ipAddresses: string[];
  publicKey: forge.pki.rsa.PublicKey;
}

export function createCertificateRequest(keyPair: RsaKeyPair, requestedNames: CertificateNames): string {
  const names = normaliseCertificateNames(requestedNames);
  const request = forge.pki.createCertificationRequest();
  request.publicKey = keyPair.publicKey;
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: names.commonName }];
  if (names.organization) subject.push({ name: 'organizationName', value: names.organization });
  request.setSubject(subject);
  const altNames = [
    ...names.dnsNames.map((value) => ({ type: DNS_NAME, value })),
    ...names.ipAddresses.map((ip) => ({ type: IP_ADDRESS, ip })),
  ];
  if (altNames.length > 0) {
    request.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames }] }]);
  }
  request.sign(keyPair.privateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(request);
}

/** Parses a CSR and checks its self-signature; throws CertificateError naming `source`. */
export function readCertificateRequest(pem: string, source = 'the CSR'): CertificateRequest {
  let request: forge.pki.CertificateSigningRequest;
  try {
    request = forge.pki.certificationRequestFromPem(pem);
  } catch (error) {
    throw new CertificateError(`${source} is not a PEM certificate request with an RSA key (${errorReason(error)})`);
  }
  let signatureValid: boolean;
  try {
    signatureValid = request.verify();
  } catch (error) {
    throw new CertificateError(`${source}: cannot check the request's signature (${errorReason(error)})`);
  }
  if (!signatureValid) throw new CertificateError(`${source}: the request's signature does not match its key`);

  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const extensionRequest = request.getAttribute({ name: 'extensionRequest' }) as { extensions?: unknown[] } | null;
  for (const extension of extensionRequest?.extensions ?? []) {
    const { name, altNames } = extension as { name?: string; altNames?: { type: number; value?: string; ip?: string }[] };
    if (name !== 'subjectAltName') continue;
    for (const altName of altNames ?? []) {
      if (altName.type === DNS_NAME && altName.value !== undefined) dnsNames.push(altName.value);
      else if (altName.type === IP_ADDRESS && altName.ip !== undefined) ipAddresses.push(altName.ip);
      else throw new CertificateError(`${source}: subjectAltName entry of type ${altName.type} is not supported (only DNS and IP)`);
    }
  }
  const commonNameField = request.subject.getField('CN') as forge.pki.CertificateField | null;
  const commonName = typeof commonNameField?.value === 'string' ? commonNameField.value : undefined;
  return {
    subject: request.subject.attributes,
    commonName,
    dnsNames,
    ipAddresses,
    publicKey: request.publicKey as forge.pki.rsa.PublicKey,
  };
}
