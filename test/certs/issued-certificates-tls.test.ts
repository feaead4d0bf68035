// Certificates from certs/ used for real: a node:tls server with an issued POP
// certificate, clients that trust only the CA, mutual TLS with an issued client
// certificate, and openssl as a second, independent verifier.
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, type CertificateAuthority } from '../../certs/certificate-authority.js';
import { CertificateError } from '../../certs/certificate-error.js';
import { createCertificateRequest } from '../../certs/certificate-request.js';
import { issueCertificate } from '../../certs/issue-certificate.js';
import { generateRsaKeyPair } from '../../certs/rsa-key-pair.js';
import { handshake, startEchoServer, type EchoServer, type Handshake } from './tls-peers.js';

const dir = mkdtempSync(join(tmpdir(), 'vpop-issued-tls-'));
let ca: CertificateAuthority;
let strangerCa: CertificateAuthority;
let server: { cert: string; key: string };
let client: { cert: string; key: string };
let strangerClient: { cert: string; key: string };

function issue(authority: CertificateAuthority, names: { commonName: string; dnsNames?: string[]; ipAddresses?: string[] }, usage: 'server' | 'client' | 'both') {
  const keyPair = generateRsaKeyPair(2048);
  const request = createCertificateRequest(keyPair, { dnsNames: [], ipAddresses: [], ...names });
  return { cert: issueCertificate({ ca: authority, request, usage }), key: keyPair.privateKeyPem };
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'VPOP Test Root', organization: 'VPOP tests' });
  strangerCa = createCertificateAuthority({ commonName: 'Stranger Root', keyBits: 2048 });
  server = issue(ca, { commonName: 'pop.test', dnsNames: ['sip.pop.test'], ipAddresses: ['127.0.0.1', '::1'] }, 'both');
  client = issue(ca, { commonName: 'carrier-a' }, 'client');
  strangerClient = issue(strangerCa, { commonName: 'stranger' }, 'client');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers: EchoServer[] = [];
const handshakes: Handshake[] = [];
afterEach(async () => {
  for (const { socket } of handshakes.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((echo) => echo.close()));
});

async function echoServer(options: Parameters<typeof startEchoServer>[0]): Promise<EchoServer> {
  const echo = await startEchoServer({ cert: server.cert, key: server.key, minVersion: 'TLSv1.2', ...options });
  servers.push(echo);
  return echo;
}

async function connect(options: Parameters<typeof handshake>[0]): Promise<Handshake> {
  const result = await handshake(options);
  handshakes.push(result);
  return result;
}

describe('an issued server certificate', () => {
  it('verifies for a client that trusts only the CA, by IP SAN and by DNS SAN', async () => {
    const { port } = await echoServer({});
    // Node checks the servername when one is given, otherwise the host (an IP here).
    const byIp = await connect({ port, ca: ca.certificatePem });
    expect(byIp).toMatchObject({ secure: true });
    expect(byIp.socket.authorized).toBe(true);
    const byName = await connect({ port, ca: ca.certificatePem, servername: 'sip.pop.test' });
    expect(byName).toMatchObject({ secure: true });
  });

  it('verifies over IPv6 by its ::1 SAN', async () => {
    const v6 = tls.createServer({ cert: server.cert, key: server.key }, (socket) => socket.pipe(socket));
    v6.listen(0, '::1');
    await once(v6, 'listening');
    try {
      const { port } = v6.address() as { port: number };
      const result = await connect({ host: '::1', port, ca: ca.certificatePem });
      expect(result).toMatchObject({ secure: true });
    } finally {
      for (const { socket } of handshakes.splice(0)) socket.destroy();
      await new Promise<void>((resolve) => v6.close(() => resolve()));
    }
  });

  it('fails hostname verification for a name or address it does not carry', async () => {
    const { port } = await echoServer({});
    const wrongName = await connect({ port, ca: ca.certificatePem, servername: 'other.test' });
    expect(wrongName).toMatchObject({ secure: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    const wrongAddress = await connect({ port, ca: ca.certificatePem, checkServerIdentity: (_host, cert) => tls.checkServerIdentity('127.0.0.9', cert) });
    expect(wrongAddress).toMatchObject({ secure: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('is refused by a client that trusts another CA', async () => {
    const { port } = await echoServer({});
    const result = await connect({ port, ca: strangerCa.certificatePem });
    expect(result.secure).toBe(false);
    expect(result.error).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('passes openssl verify against the CA file, for TLS server and client purposes', () => {
    const caFile = write('ca.pem', ca.certificatePem);
    const popFile = write('pop.pem', server.cert);
    expect(execFileSync('openssl', ['verify', '-CAfile', caFile, popFile], { encoding: 'utf8' })).toBe(`${popFile}: OK\n`);
    expect(execFileSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', caFile, popFile], { encoding: 'utf8' })).toContain('OK');
    expect(execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', caFile, popFile], { encoding: 'utf8' })).toContain('OK');
    const strangerFile = write('stranger-ca.pem', strangerCa.certificatePem);
    expect(spawnSync('openssl', ['verify', '-CAfile', strangerFile, popFile]).status).not.toBe(0);
  });
});

describe('an issued client certificate (mutual TLS)', () => {
  it('passes verification at a server that requires client certificates from the CA', async () => {
    const echo = await echoServer({ ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true });
    const result = await connect({ port: echo.port, ca: ca.certificatePem, cert: client.cert, key: client.key });
    expect(result.secure).toBe(true);
    expect(echo.clientSubjects).toEqual(['CN=carrier-a']);
  });

  it('is the only way in: no certificate, or one from another CA, is refused', async () => {
    const echo = await echoServer({ ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true });
    const without = await connect({ port: echo.port, ca: ca.certificatePem });
    expect(without.secure).toBe(false);
    const stranger = await connect({ port: echo.port, ca: ca.certificatePem, cert: strangerClient.cert, key: strangerClient.key });
    expect(stranger.secure).toBe(false);
    expect(echo.clientSubjects).toEqual([]);
  });

  it('is a client certificate only: openssl refuses it for the TLS server purpose', () => {
    const caFile = write('ca-client.pem', ca.certificatePem);
    const clientFile = write('client.pem', client.cert);
    expect(execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', caFile, clientFile], { encoding: 'utf8' })).toContain('OK');
    const asServer = spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', caFile, clientFile], { encoding: 'utf8' });
    expect(asServer.status).not.toBe(0);
    expect(asServer.stdout + asServer.stderr).toMatch(/error 26 .*certificate purpose/);
  });
});

describe('issuing from requests made elsewhere', () => {
  it('signs an openssl CSR with its SANs, and the result verifies with openssl', () => {
    const keyFile = join(dir, 'ext.key');
    const csrFile = join(dir, 'ext.csr');
    execFileSync('openssl', [
      'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csrFile,
      '-subj', '/CN=carrier-b.example/O=Carrier B', '-addext', 'subjectAltName=DNS:sbc.carrier-b.example,IP:192.0.2.20',
    ], { stdio: 'pipe' });
    const certificate = issueCertificate({ ca, request: readFileSync(csrFile, 'utf8'), usage: 'server', days: 90 });
    const certFile = write('ext.pem', certificate);
    const text = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-subject', '-ext', 'subjectAltName,basicConstraints'], { encoding: 'utf8' });
    expect(text).toContain('CN = carrier-b.example');
    expect(text).toContain('DNS:sbc.carrier-b.example, IP Address:192.0.2.20');
    expect(text).toContain('CA:FALSE');
    expect(execFileSync('openssl', ['verify', '-CAfile', write('ca-ext.pem', ca.certificatePem), certFile], { encoding: 'utf8' })).toContain('OK');
  });

  it('makes a CA that may sign end-entity certificates only (critical CA:TRUE, pathlen 0)', () => {
    const text = execFileSync('openssl', ['x509', '-in', write('ca-text.pem', ca.certificatePem), '-noout', '-ext', 'basicConstraints,keyUsage'], { encoding: 'utf8' });
    expect(text).toMatch(/critical\s+CA:TRUE, pathlen:0/);
    expect(text).toContain('Certificate Sign, CRL Sign');
  });

  it('refuses a tampered request, a server request without names, and a lifetime beyond the CA', () => {
    const keyPair = generateRsaKeyPair(2048);
    const request = createCertificateRequest(keyPair, { commonName: 'pop', dnsNames: ['sip.pop.test'], ipAddresses: [] });
    const der = Buffer.from(request.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('sip.pop.test'));
    der[at] = 'x'.charCodeAt(0);
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => issueCertificate({ ca, request: tampered, requestSource: 'tampered.csr' })).toThrow(/tampered.csr: the request's signature does not match/);
    const nameless = createCertificateRequest(keyPair, { commonName: 'pop', dnsNames: [], ipAddresses: [] });
    expect(() => issueCertificate({ ca, request: nameless, usage: 'server' })).toThrow(/requests no DNS or IP subjectAltName/);
    expect(() => issueCertificate({ ca, request, days: 4000 })).toThrow(/would outlive its CA/);
    expect(() => issueCertificate({ ca, request: 'not a csr' })).toThrow(CertificateError);
  });
});
