// Rotation against the engine's real TLS transport: a connection opened before
// `rotatePopCertificate` keeps exchanging SIP on its old session, while the watcher
// makes the transport reload, so new connections get the new certificate.
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AllowList } from '../../edge/engine/allow-list/allow-list.js';
import { TransportLayer, type MessageOrigin } from '../../edge/engine/transport/index.js';
import { loadPopConfig, checkPopFile } from '../../platform/config/load-pop-config.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { writeFileAtomically } from '../../certs/atomic-file-write.js';
import { caFilesIn, readCertificateAuthority } from '../../certs/ca-directory.js';
import { watchCertificateFiles, type CertificateFileWatcher } from '../../certs/certificate-file-watcher.js';
import { ensurePopCertificate } from '../../certs/ensure-pop-certificate.js';
import { issuePopCertificate, localCaDirectory } from '../../certs/pop-certificate-issuer.js';
import { installPopCertificate, rotatePopCertificate } from '../../certs/rotate-pop-certificate.js';
import { waitForValue, waitUntil } from '../support/wait-until.js';
import { writeTestPopFile } from './test-pop-file.js';

const dir = mkdtempSync(join(tmpdir(), 'vpop-rotation-'));
let popFile: string;
let pop: PopConfig;
let tlsFiles: NonNullable<PopConfig['tls']>;
let caPem: string;

beforeAll(async () => {
  popFile = writeTestPopFile(dir);
  pop = loadPopConfig(popFile, { checkFiles: false });
  tlsFiles = pop.tls as NonNullable<PopConfig['tls']>;
  await ensurePopCertificate(pop);
  caPem = readFileSync(caFilesIn(localCaDirectory(pop)).certFile, 'utf8');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const layers: TransportLayer[] = [];
const watchers: CertificateFileWatcher[] = [];
const sockets: tls.TLSSocket[] = [];
const ROTATION_WAIT = { timeoutMs: 5_000, intervalMs: 20 };
afterEach(async () => {
  for (const watcher of watchers.splice(0)) watcher.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(layers.splice(0).map((layer) => layer.stop()));
});

function options(callId: string): string {
  return `OPTIONS sip:edge@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK${callId}\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
}

function fingerprintOf(file: string): string {
  return new X509Certificate(readFileSync(file)).fingerprint256;
}

/** A TLS client that trusts only the POP's local CA and checks the certificate's IP SAN. */
async function connect(port: number): Promise<tls.TLSSocket> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca: caPem });
  sockets.push(socket);
  await once(socket, 'secureConnect');
  expect(socket.authorized).toBe(true);
  return socket;
}

async function startEngineTransport() {
  const layer = new TransportLayer({
    listeners: [{
      name: 'tls',
      transport: 'tls',
      address: '127.0.0.1',
      port: 0,
      allowList: AllowList.parse(['127.0.0.1/32']),
      tls: { certFile: tlsFiles.certFile, keyFile: tlsFiles.keyFile, minVersion: 'TLSv1.2' },
    }],
    registry: new Registry(),
  });
  layers.push(layer);
  const received: { raw: string; origin: MessageOrigin }[] = [];
  layer.onMessage((raw, origin) => received.push({ raw: raw.toString(), origin }));
  await layer.start();
  return { layer, received, port: layer.boundListeners()[0]?.port ?? 0 };
}

describe('certificate rotation', () => {
  it('serves the new certificate to new connections while an open one keeps working', async () => {
    const { layer, received, port } = await startEngineTransport();
    let reloads = 0;
    const watcher = watchCertificateFiles({
      ...tlsFiles,
      debounceMs: 100,
      onChange: async () => {
        reloads++;
        await layer.reloadCertificates();
      },
    });
    watchers.push(watcher);
    await watcher.ready;

    const oldFingerprint = fingerprintOf(tlsFiles.certFile);
    const inCall = await connect(port);
    expect(inCall.getPeerX509Certificate()?.fingerprint256).toBe(oldFingerprint);
    inCall.write(options('before-rotation'));
    await waitUntil(() => received.length === 1, 'the first request', ROTATION_WAIT);

    const rotation = await rotatePopCertificate(pop);
    const newFingerprint = rotation.certificate.fingerprintSha256;
    expect(newFingerprint).not.toBe(oldFingerprint);
    expect(fingerprintOf(tlsFiles.certFile)).toBe(newFingerprint);

    // New connections get the new certificate once the watcher has made the transport reload.
    const fresh = await waitForValue(async () => {
      const socket = await connect(port);
      return socket.getPeerX509Certificate()?.fingerprint256 === newFingerprint ? socket : undefined;
    }, 'a connection with the rotated certificate', ROTATION_WAIT);
    expect(fresh.authorized).toBe(true);
    expect(reloads).toBe(1);

    // The connection from before carries on, in both directions, on its original session.
    expect(inCall.destroyed).toBe(false);
    inCall.write(options('after-rotation'));
    const request = await waitForValue(() => received.find((message) => message.raw.includes('Call-ID: after-rotation')), 'the in-call request', ROTATION_WAIT);
    const replies: string[] = [];
    inCall.on('data', (chunk: Buffer) => replies.push(chunk.toString()));
    await layer.send(Buffer.from('SIP/2.0 200 OK\r\nCall-ID: after-rotation\r\nContent-Length: 0\r\n\r\n'), {
      transport: 'tls',
      address: request.origin.remoteAddress,
      port: request.origin.remotePort,
      connectionId: request.origin.connectionId as string,
    });
    await waitUntil(() => replies.join('').includes('200 OK'), 'the response on the old connection', ROTATION_WAIT);
    expect(received.find((message) => message.raw.includes('before-rotation'))?.origin.connectionId).toBe(request.origin.connectionId);

    // The previous pair is kept, the key stays private, and the POP file still checks out.
    expect(rotation.previous).toEqual({ certFile: `${tlsFiles.certFile}.prev`, keyFile: `${tlsFiles.keyFile}.prev` });
    expect(fingerprintOf(`${tlsFiles.certFile}.prev`)).toBe(oldFingerprint);
    expect(statSync(tlsFiles.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(`${tlsFiles.keyFile}.prev`).mode & 0o777).toBe(0o600);
    expect(checkPopFile(popFile)).toEqual([]);
  });

  it('the watcher waits for a matching pair: a new key alone is not reported, the key and its certificate are', async () => {
    const changes: string[] = [];
    const watcher = watchCertificateFiles({ ...tlsFiles, debounceMs: 50, onChange: (certificate) => void changes.push(certificate.fingerprintSha256) });
    watchers.push(watcher);
    await watcher.ready;
    const next = issuePopCertificate(pop, await readCertificateAuthority(localCaDirectory(pop)));
    await writeFileAtomically(tlsFiles.keyFile, next.privateKeyPem, 0o600);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(changes).toEqual([]);
    await writeFileAtomically(tlsFiles.certFile, next.certificatePem, 0o644);
    const expected = new X509Certificate(next.certificatePem).fingerprint256;
    await waitUntil(() => changes.length > 0, 'the change report', ROTATION_WAIT);
    expect(changes).toEqual([expected]);
  });

  it('the watcher refuses to start on a directory that does not exist', () => {
    expect(() => watchCertificateFiles({ certFile: join(dir, 'missing/pop.crt'), keyFile: join(dir, 'missing/pop.key'), onChange: () => undefined }))
      .toThrow(`cannot watch ${join(dir, 'missing')} for certificate changes (ENOENT)`);
  });

  it('installs a pair issued elsewhere, and refuses a key that is not the certificate\'s without touching the files', async () => {
    const before = readFileSync(tlsFiles.certFile, 'utf8');
    const ca = await readCertificateAuthority(localCaDirectory(pop));
    const first = issuePopCertificate(pop, ca);
    const second = issuePopCertificate(pop, ca);
    const staged = (name: string, text: string): string => {
      const file = join(dir, name);
      rmSync(file, { force: true });
      writeFileSync(file, text);
      return file;
    };
    const certFile = staged('issued.crt', first.certificatePem);
    const wrongKey = staged('wrong.key', second.privateKeyPem);
    await expect(installPopCertificate(pop, { certFile, keyFile: wrongKey })).rejects.toThrow(/wrong.key is not the private key of .*issued.crt/);
    expect(readFileSync(tlsFiles.certFile, 'utf8')).toBe(before);

    const keyFile = staged('issued.key', first.privateKeyPem);
    const outcome = await installPopCertificate(pop, { certFile, keyFile });
    expect(fingerprintOf(tlsFiles.certFile)).toBe(outcome.certificate.fingerprintSha256);
    expect(readFileSync(`${tlsFiles.certFile}.prev`, 'utf8')).toBe(before);
    expect(checkPopFile(popFile)).toEqual([]);
  });
});
