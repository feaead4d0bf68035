// A fresh key and certificate for a POP from a CA, going through a CSR like any other
// request so there is one issuing path. Also where a POP's local CA lives.
import { join } from 'node:path';
import type { PopConfig } from '../platform/config/pop-schema.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { createCertificateRequest } from './certificate-request.js';
import { issueCertificate } from './issue-certificate.js';
import { popCertificateNames } from './pop-certificate-names.js';
import { parseSipUri } from '../edge/engine/messages/headers/sip-uri.js';
import { generateRsaKeyPair, type RsaKeySize } from './rsa-key-pair.js';

export interface PopCertificateOptions {
  /** Default 365. */
  days?: number;
  /** Default 2048. */
  keyBits?: RsaKeySize;
  now?: Date;
}

/** The CA `vpop` makes for a POP that has no issued certificate: <stateDir>/ca. */
export function localCaDirectory(pop: PopConfig): string {
  return join(pop.stateDir, 'ca');
}

export function issuePopCertificate(
  pop: PopConfig,
  ca: CertificateAuthority,
  options: PopCertificateOptions = {},
): { certificatePem: string; privateKeyPem: string } {
  const keyPair = generateRsaKeyPair(options.keyBits ?? 2048);
  const request = createCertificateRequest(keyPair, popCertificateNames(pop));
  const certificatePem = issueCertificate({
    ca,
    request,
    requestSource: `the CSR of POP ${pop.pop.id}`,
    usage: 'both',
    ...(options.days !== undefined ? { days: options.days } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  return { certificatePem, privateKeyPem: keyPair.privateKeyPem };
}

/**
 * The routing core's certificate for the mutual-TLS link: CN = routingCore.certificate.subject
 * (what the edge checks), an IP subjectAltName for the host of routingCore.sipUri (what the
 * edge verifies when it connects to the core), usable as server and client.
 */
export function issueCoreCertificate(
  pop: PopConfig,
  ca: CertificateAuthority,
  options: PopCertificateOptions = {},
): { certificatePem: string; privateKeyPem: string } {
  const host = parseSipUri(pop.routingCore.sipUri)?.host.replace(/^\[|\]$/g, '');
  const keyPair = generateRsaKeyPair(options.keyBits ?? 2048);
  const request = createCertificateRequest(keyPair, {
    commonName: pop.routingCore.certificate?.subject ?? `core.${pop.pop.id}`,
    organization: `VPOP ${pop.pop.id}`,
    dnsNames: [],
    ipAddresses: host !== undefined && /^[0-9.]+$|:/.test(host) ? [host] : [],
  });
  const certificatePem = issueCertificate({
    ca, request, requestSource: `the routing core of POP ${pop.pop.id}`, usage: 'both',
    ...(options.days !== undefined ? { days: options.days } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  return { certificatePem, privateKeyPem: keyPair.privateKeyPem };
}
