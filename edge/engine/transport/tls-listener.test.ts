// TLS listeners against real node:tls clients on loopback, with certificates
// from a throw-away CA: version floor, client-certificate verification,
// certificate reload, and the allow-list check before any handshake.
import { copyFile } from 'node:fs/promises';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestCertificate, type TestPki } from '../../../test/support/test-certs.js';
import { AllowList } from '../allow-list/allow-list.js';
import { TransportLayer } from './transport-layer.js';
import type { MessageOrigin, TlsListenerOptions, TransportLayerOptions } from './index.js';

const LISTED = AllowList.parse(['127.0.0.1/32', '::1/128']);

function request(callId: string): string {
  return `OPTIONS sip:edge@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK${callId}\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
}

let pki: TestPki;
let otherPki: TestPki;
let server: TestCertificate;
let client: TestCertificate;
let strangerClient: TestCertificate;

beforeAll(async () => {
  pki = await createTestPki();
  otherPki = await createTestPki({ caCommonName: 'Stranger CA' });
  server = await pki.issue({ commonName: 'edge.test', usage: 'server' });
  client = await pki.issue({ commonName: 'carrier-a.test', usage: 'client' });
  strangerClient = await otherPki.issue({ commonName: 'stranger.test', usage: 'client' });
});

afterAll(async () => {
  await pki?.cleanup();
  await otherPki?.cleanup();
});

const layers: TransportLayer[] = [];
const clients: tls.TLSSocket[] = [];

afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy();
  await Promise.all(layers.splice(0).map((layer) => layer.stop()));
});

async function startTls(tlsOptions: Partial<TlsListenerOptions> = {}, extra: Partial<TransportLayerOptions> = {}) {
  const registry = new Registry();
  const layer = new TransportLayer({
    listeners: [
      {
        name: 'tls-main',
        transport: 'tls',
        address: '127.0.0.1',
        port: 0,
        allowList: LISTED,
        tls: { certFile: server.certFile, keyFile: server.keyFile, ...tlsOptions },
      },
    ],
    registry,
    ...extra,
  });
  layers.push(layer);
  const received: { raw: string; origin: MessageOrigin }[] = [];
  layer.onMessage((raw, origin) => received.push({ raw: raw.toString(), origin }));
  await layer.start();
  const port = layer.boundListeners()[0]?.port ?? 0;
  return { layer, registry, received, port };
}

type Outcome = { secure: boolean; closedBeforeSecure: boolean; error?: string; socket: tls.TLSSocket };

/** Connects and reports whether the handshake completed and whether the socket then stayed open. */
async function connect(port: number, options: tls.ConnectionOptions = {}): Promise<Outcome> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca.certPem, ...options });
  clients.push(socket);
  let secure = false;
  let error: string | undefined;
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  await Promise.race([once(socket, 'secureConnect').then(() => (secure = true)), once(socket, 'close')]).catch(() => undefined);
  const outcome: Outcome = { secure, closedBeforeSecure: !secure, socket };
  if (error !== undefined) outcome.error = error;
  return outcome;
}

/** Resolves once the socket is closed (or is already). */
function closed(socket: tls.TLSSocket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return once(socket, 'close').then(() => undefined);
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted)).reduce((sum, value) => sum + value.value, 0);
}

/** The server may count a failure a moment after the client saw its socket close. */
async function waitForMetric(registry: Registry, name: string, labels: Record<string, string>, expected: number): Promise<void> {
  let value = 0;
  for (let i = 0; i < 100; i++) {
    value = await metricValue(registry, name, labels);
    if (value === expected) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(value, `${name} ${JSON.stringify(labels)}`).toBe(expected);
}

describe('TLS listener', () => {
  it('frames messages over TLS and answers on the same connection', async () => {
    const { layer, received, port } = await startTls();
    const outcome = await connect(port);
    expect(outcome.secure).toBe(true);
    outcome.socket.write(request('tls-1') + request('tls-2'));
    await waitFor(() => received.length === 2, 'two messages');
    const origin = received[0]?.origin as MessageOrigin;
    expect(origin).toMatchObject({ transport: 'tls', remoteAddress: '127.0.0.1', listenerName: 'tls-main', localPort: port });
    expect(origin.peerCertificate).toBeUndefined();
    const replies: Buffer[] = [];
    outcome.socket.on('data', (chunk: Buffer) => replies.push(chunk));
    await layer.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), {
      transport: 'tls',
      address: origin.remoteAddress,
      port: origin.remotePort,
      connectionId: origin.connectionId as string,
    });
    await waitFor(() => Buffer.concat(replies).toString().includes('200 OK'), 'the response');
  });

  it('closes connections from unlisted sources before any TLS handshake', async () => {
    const { registry, received, port } = await startTls();
    // net.connect's localAddress passes through tls.connect; the TLS option type just does not list it.
    const fromUnlisted: tls.ConnectionOptions & { localAddress: string } = { localAddress: '127.0.0.2' };
    const outcome = await connect(port, fromUnlisted);
    expect(outcome.secure).toBe(false);
    expect(outcome.closedBeforeSecure).toBe(true);
    expect(outcome.error).toMatch(/ECONNRESET|disconnected/i);
    expect(received).toEqual([]);
    expect(await metricValue(registry, 'vpop_engine_allowlist_drops_total', { listener: 'tls-main', transport: 'tls' })).toBe(1);
    // No handshake was attempted, so none failed.
    expect(await metricValue(registry, 'vpop_engine_tls_handshake_failures_total', {})).toBe(0);
  });

  it('rejects a client that offers at most TLS 1.1, and counts it', async () => {
    const { registry, port } = await startTls();
    const outcome = await connect(port, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(outcome.secure).toBe(false);
    await waitFor(() => outcome.socket.destroyed, 'the old-TLS client to be closed');
    await waitForMetric(registry, 'vpop_engine_tls_handshake_failures_total', { listener: 'tls-main', reason: 'protocol-version' }, 1);
  });

  it('closes a connection that never completes its handshake, and counts it', async () => {
    const { registry, port } = await startTls({}, { limits: { tlsHandshakeTimeoutMs: 300 } });
    const silent = net.connect({ host: '127.0.0.1', port });
    silent.on('error', () => undefined);
    const started = Date.now();
    await once(silent, 'close');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await waitForMetric(registry, 'vpop_engine_tls_handshake_failures_total', { listener: 'tls-main', reason: 'timeout' }, 1);
  });

  it('refuses a TLS minimum version below 1.2 in config', async () => {
    const layer = new TransportLayer({
      listeners: [
        {
          name: 'weak',
          transport: 'tls',
          address: '127.0.0.1',
          port: 0,
          allowList: LISTED,
          tls: { certFile: server.certFile, keyFile: server.keyFile, minVersion: 'TLSv1.1' as 'TLSv1.2' },
        },
      ],
      registry: new Registry(),
    });
    await expect(layer.start()).rejects.toThrow(/TLS listener 'weak': minVersion must be TLSv1.2 or TLSv1.3/);
  });

  it('names the listener and file when a certificate file is missing', async () => {
    const layer = new TransportLayer({
      listeners: [
        { name: 'broken', transport: 'tls', address: '127.0.0.1', port: 0, allowList: LISTED, tls: { certFile: '/nonexistent/x.crt', keyFile: server.keyFile } },
      ],
      registry: new Registry(),
    });
    await expect(layer.start()).rejects.toThrow(/TLS listener 'broken': cannot read certFile \/nonexistent\/x\.crt/);
  });

  describe('with client-certificate verification', () => {
    const verifying = () => startTls({ caFile: pki.ca.certFile, verifyClientCert: true });

    it('accepts a client certificate from the CA and exposes it with each message', async () => {
      const { received, port } = await verifying();
      const outcome = await connect(port, { cert: client.certPem, key: client.keyPem });
      expect(outcome.secure).toBe(true);
      outcome.socket.write(request('mtls'));
      await waitFor(() => received.length === 1, 'the message');
      expect(received[0]?.origin.peerCertificate).toMatchObject({ fingerprint256: client.fingerprint256 });
      expect(received[0]?.origin.peerCertificate?.subject).toContain('CN=carrier-a.test');
    });

    it('closes a connection that presents no certificate, and counts it', async () => {
      const { registry, received, port } = await verifying();
      const outcome = await connect(port);
      outcome.socket.write(request('anonymous'));
      await closed(outcome.socket);
      expect(received).toEqual([]);
      await waitForMetric(registry, 'vpop_engine_tls_handshake_failures_total', { listener: 'tls-main', reason: 'no-client-certificate' }, 1);
    });

    it('closes a connection whose certificate comes from another CA, and counts it', async () => {
      const { registry, received, port } = await verifying();
      const outcome = await connect(port, { cert: strangerClient.certPem, key: strangerClient.keyPem });
      outcome.socket.write(request('stranger'));
      await closed(outcome.socket);
      expect(received).toEqual([]);
      await waitForMetric(registry, 'vpop_engine_tls_handshake_failures_total', { listener: 'tls-main', reason: 'client-certificate-untrusted' }, 1);
    });
  });

  it('exposes an unverified client certificate when only requested, for pinning by fingerprint', async () => {
    const { received, port } = await startTls({ requestClientCert: true });
    const outcome = await connect(port, { cert: strangerClient.certPem, key: strangerClient.keyPem });
    expect(outcome.secure).toBe(true);
    outcome.socket.write(request('pinned'));
    await waitFor(() => received.length === 1, 'the message');
    expect(received[0]?.origin.peerCertificate?.fingerprint256).toBe(strangerClient.fingerprint256);
  });

  it('serves a reloaded certificate to new connections and keeps existing ones up', async () => {
    // The listener reads its own copy of the files, which the test then overwrites.
    const certFile = `${pki.dir}/reload.crt`;
    const keyFile = `${pki.dir}/reload.key`;
    await copyFile(server.certFile, certFile);
    await copyFile(server.keyFile, keyFile);
    const { layer, received, port } = await startTls({ certFile, keyFile });
    const before = await connect(port);
    expect(before.socket.getPeerX509Certificate()?.fingerprint256).toBe(server.fingerprint256);

    const renewed = await pki.issue({ commonName: 'edge.test', usage: 'server' });
    await copyFile(renewed.certFile, certFile);
    await copyFile(renewed.keyFile, keyFile);
    await layer.reloadCertificates();

    const after = await connect(port);
    expect(after.secure).toBe(true);
    expect(after.socket.getPeerX509Certificate()?.fingerprint256).toBe(renewed.fingerprint256);
    expect(before.socket.destroyed).toBe(false);
    before.socket.write(request('old-connection'));
    await waitFor(() => received.length === 1, 'a message on the pre-reload connection');
    expect(received[0]?.raw).toContain('Call-ID: old-connection');
  });

  it('keeps the old certificate when a reload finds broken files', async () => {
    const certFile = `${pki.dir}/broken-reload.crt`;
    const keyFile = `${pki.dir}/broken-reload.key`;
    await copyFile(server.certFile, certFile);
    await copyFile(server.keyFile, keyFile);
    const { layer, port } = await startTls({ certFile, keyFile });
    await copyFile(client.keyFile, keyFile); // key no longer matches the certificate
    await expect(layer.reloadCertificates()).rejects.toThrow(/TLS listener 'tls-main': certificate\/key rejected/);
    const outcome = await connect(port);
    expect(outcome.socket.getPeerX509Certificate()?.fingerprint256).toBe(server.fingerprint256);
  });

  it('connects out over mutual TLS to another engine, which identifies it by certificate', async () => {
    const { received, port } = await startTls({ caFile: pki.ca.certFile, verifyClientCert: true });
    const outbound = new TransportLayer({
      listeners: [{ name: 'tls-out', transport: 'tls', address: '127.0.0.1', port: 0, allowList: LISTED, tls: { certFile: server.certFile, keyFile: server.keyFile } }],
      tlsClient: { caFile: pki.ca.certFile, certFile: client.certFile, keyFile: client.keyFile },
      registry: new Registry(),
    });
    layers.push(outbound);
    await outbound.start();
    await outbound.send(Buffer.from(request('outbound-mtls')), { transport: 'tls', address: '127.0.0.1', port });
    await waitFor(() => received.length === 1, 'the request at the far engine');
    expect(received[0]?.origin.peerCertificate?.fingerprint256).toBe(client.fingerprint256);
    expect(outbound.connectionCount).toBe(1);
  });

  it('connects out with SNI and checks the server certificate against that name', async () => {
    const named = await pki.issue({ commonName: 'sip.carrier.test', dnsNames: ['sip.carrier.test'], ipAddresses: [], usage: 'server' });
    const { received, port } = await startTls({ certFile: named.certFile, keyFile: named.keyFile });
    const outbound = new TransportLayer({ listeners: [], tlsClient: { caFile: pki.ca.certFile }, registry: new Registry() });
    layers.push(outbound);
    await outbound.start();
    await outbound.send(Buffer.from(request('by-name')), { transport: 'tls', address: '127.0.0.1', port, servername: 'sip.carrier.test' });
    await waitFor(() => received.length === 1, 'the request sent by name');
    // The open connection was verified for another name, so it is not reused; a new one fails the check.
    await expect(
      outbound.send(Buffer.from(request('wrong-name')), { transport: 'tls', address: '127.0.0.1', port, servername: 'other.carrier.test' }),
    ).rejects.toThrow(/cannot connect tls.*other\.carrier\.test/);
    expect(outbound.connectionCount).toBe(1);
  });

  it('refuses to connect out to a server whose certificate it does not trust', async () => {
    const { port } = await startTls();
    const outbound = new TransportLayer({ listeners: [], tlsClient: { caFile: otherPki.ca.certFile }, registry: new Registry() });
    layers.push(outbound);
    await outbound.start();
    await expect(outbound.send(Buffer.from(request('x')), { transport: 'tls', address: '127.0.0.1', port })).rejects.toThrow(/cannot connect tls/);
  });
});
