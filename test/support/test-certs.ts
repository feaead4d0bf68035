// A throw-away PKI for tests: one CA and as many server/client certificates as a
// test needs, written as PEM files to a temporary directory. The CA, keys, requests
// and signing are the product's own (certs/), so tests exercise what operators get.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority } from '../../certs/certificate-authority.js';
import { createCertificateRequest } from '../../certs/certificate-request.js';
import { issueCertificate, type CertificateUsage } from '../../certs/issue-certificate.js';
import { generateRsaKeyPair } from '../../certs/rsa-key-pair.js';

export interface TestCertificate {
  commonName: string;
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
  /** Node's format: upper-case hex pairs joined by colons. */
  fingerprint256: string;
}

export interface IssueOptions {
  commonName: string;
  /** DNS subjectAltNames. */
  dnsNames?: string[];
  /** IP subjectAltNames (v4 or v6). Default for server certificates: 127.0.0.1 and ::1. */
  ipAddresses?: string[];
  /** Extended key usage. Default 'both'. */
  usage?: CertificateUsage;
}

export interface TestPki {
  dir: string;
  ca: TestCertificate;
  /** Issues a certificate signed by this PKI's CA and writes it (and its key) to dir. */
  issue(options: IssueOptions): Promise<TestCertificate>;
  /** Removes dir and everything in it. */
  cleanup(): Promise<void>;
}

const ORGANIZATION = 'VPOP tests';
/** The smallest size certs/ offers: tests make many keys and need no strength. */
const KEY_BITS = 2048;

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'cert';
}

export async function createTestPki(options: { caCommonName?: string } = {}): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'vpop-test-pki-'));
  let counter = 0;

  const write = async (stem: string, certPem: string, keyPem: string, commonName: string): Promise<TestCertificate> => {
    const certFile = join(dir, `${stem}.crt`);
    const keyFile = join(dir, `${stem}.key`);
    await writeFile(certFile, certPem);
    await writeFile(keyFile, keyPem, { mode: 0o600 });
    return { commonName, certPem, keyPem, certFile, keyFile, fingerprint256: new X509Certificate(certPem).fingerprint256 };
  };

  const caCommonName = options.caCommonName ?? 'VPOP Test CA';
  const authority = createCertificateAuthority({ commonName: caCommonName, organization: ORGANIZATION, keyBits: KEY_BITS });
  const ca = await write(`ca-${slug(caCommonName)}`, authority.certificatePem, authority.keyPair.privateKeyPem, caCommonName);

  const issue = async (issueOptions: IssueOptions): Promise<TestCertificate> => {
    const usage = issueOptions.usage ?? 'both';
    const keyPair = generateRsaKeyPair(KEY_BITS);
    const request = createCertificateRequest(keyPair, {
      commonName: issueOptions.commonName,
      organization: ORGANIZATION,
      dnsNames: issueOptions.dnsNames ?? [],
      ipAddresses: issueOptions.ipAddresses ?? (usage === 'client' ? [] : ['127.0.0.1', '::1']),
    });
    const certPem = issueCertificate({ ca: authority, request, usage });
    counter++;
    return write(`${slug(issueOptions.commonName)}-${counter}`, certPem, keyPair.privateKeyPem, issueOptions.commonName);
  };

  return { dir, ca, issue, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
