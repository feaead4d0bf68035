// A throw-away PKI for tests: one CA and as many server/client certificates as a
// test needs, written as PEM files to a temporary directory. node-forge builds
// and signs the certificates; keys come from node:crypto because it is fast.
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

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
  usage?: 'server' | 'client' | 'both';
  /** Validity window. Default: from an hour ago for one year. */
  notBefore?: Date;
  notAfter?: Date;
}

export interface TestPki {
  dir: string;
  ca: TestCertificate;
  /** Issues a certificate signed by this PKI's CA and writes it (and its key) to dir. */
  issue(options: IssueOptions): Promise<TestCertificate>;
  /** Removes dir and everything in it. */
  cleanup(): Promise<void>;
}

function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

function serialNumber(): string {
  // Positive (leading nibble < 8) 16-byte serial, as hex.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

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
  const caKeys = rsaKeyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = caKeys.publicKey;
  caCert.serialNumber = serialNumber();
  caCert.validity.notBefore = new Date(Date.now() - 3600_000);
  caCert.validity.notAfter = new Date(Date.now() + 5 * 365 * 86400_000);
  const caSubject = [{ name: 'commonName', value: caCommonName }, { name: 'organizationName', value: 'VPOP tests' }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(caKeys.privateKey, forge.md.sha256.create());
  const ca = await write(`ca-${slug(caCommonName)}`, forge.pki.certificateToPem(caCert), caKeys.keyPem, caCommonName);

  const issue = async (issueOptions: IssueOptions): Promise<TestCertificate> => {
    const usage = issueOptions.usage ?? 'both';
    const keys = rsaKeyPair();
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = serialNumber();
    cert.validity.notBefore = issueOptions.notBefore ?? new Date(Date.now() - 3600_000);
    cert.validity.notAfter = issueOptions.notAfter ?? new Date(Date.now() + 365 * 86400_000);
    cert.setSubject([
      { name: 'commonName', value: issueOptions.commonName },
      { name: 'organizationName', value: 'VPOP tests' },
    ]);
    cert.setIssuer(caCert.subject.attributes);
    const ipAddresses = issueOptions.ipAddresses ?? (usage === 'client' ? [] : ['127.0.0.1', '::1']);
    const altNames = [
      ...(issueOptions.dnsNames ?? []).map((value) => ({ type: 2, value })),
      ...ipAddresses.map((ip) => ({ type: 7, ip })),
    ];
    const extensions: object[] = [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: usage !== 'client', clientAuth: usage !== 'server' },
      { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ];
    if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
    cert.setExtensions(extensions);
    cert.sign(caKeys.privateKey, forge.md.sha256.create());
    counter++;
    return write(`${slug(issueOptions.commonName)}-${counter}`, forge.pki.certificateToPem(cert), keys.keyPem, issueOptions.commonName);
  };

  return { dir, ca, issue, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
