// `vpop engine` as a child process with drachtio-server's flags (needs `npm run build`):
// a drachtio-srf UAS app connects to it, SIPp calls in, /metrics counts the traffic,
// and an unlisted source (127.0.0.2) gets silence.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connectSrf, newSrf, type SrfApp } from './srf-app.js';
import { TEST_SDP } from './sdp.js';
import { describeSippRun, runSipp } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';
import { createTestPki, type TestPki } from '../support/test-certs.js';
import { replaceKeyAndCertificate } from '../../certs/certificate-files.js';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

const VPOP = 'dist/cli/vpop.js';

async function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => pattern.test(candidate));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vpop engine exited with ${code}; output:\n${output}`));
    });
  });
}

describe('vpop engine (drachtio-server flags)', () => {
  let child: ChildProcess | undefined;
  let srf: SrfApp | undefined;
  afterEach(async () => {
    srf?.disconnect();
    srf = undefined;
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
    child = undefined;
  });

  it('serves a drachtio-srf app, counts messages on /metrics, and ignores unlisted sources', async () => {
    expect(existsSync(VPOP), 'run `npm run build` first').toBe(true);
    const sipPort = await freePort();
    const controlPort = await freePort();
    const metricsPort = await freePort();
    child = spawn(process.execPath, [
      VPOP, 'engine', '--contact', `sip:127.0.0.1:${sipPort};transport=udp,tcp`, '--port', String(controlPort),
      '--secret', 'cymru', '--prometheus-scrape-port', String(metricsPort), '--allow', '127.0.0.1/32',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForLine(child, /vpop engine running/, 10_000);

    const app = newSrf();
    srf = app;
    app.invite(((req: unknown, res: unknown) => void app.createUAS(req, res, { localSdp: TEST_SDP }).catch(() => undefined)) as never);
    const hostport = await connectSrf(app, controlPort, 'cymru');
    expect(hostport).toBe(`udp/127.0.0.1:${sipPort},tcp/127.0.0.1:${sipPort}`);

    const allowed = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${sipPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls: 3, rate: 10, durationMs: 50, timeoutSeconds: 15,
    });
    expect(allowed.statistics?.successfulCalls, await describeSippRun('allowed caller', allowed)).toBe(3);

    const blocked = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${sipPort}`, localAddress: '127.0.0.2', localPort: await freePort('127.0.0.2'),
      transport: 'u1', calls: 1, timeoutSeconds: 3,
    });
    expect(blocked.statistics?.successfulCalls ?? 0).toBe(0);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('vpop_engine_sip_messages_total{direction="in",method="INVITE",status=""');
    expect(metrics).toMatch(/vpop_engine_sip_messages_total\{direction="out",method="INVITE",status="200"[^}]*\} 3/);
    expect(metrics).toMatch(/vpop_engine_dialogs_active\{[^}]*\} 0/);
    expect(metrics).toMatch(/vpop_engine_allowlist_drops_total\{[^}]*transport="udp"[^}]*\} [1-9]/);
    expect(metrics).toContain('vpop_engine_parse_errors_total');
    expect(metrics).toContain('vpop_engine_transactions_active');
  });

  it('serves a rotated certificate to new TLS connections (file change and SIGHUP) while an open one keeps working', async () => {
    expect(existsSync(VPOP), 'run `npm run build` first').toBe(true);
    const pki: TestPki = await createTestPki();
    const dir = await mkdtemp(join(tmpdir(), 'vpop-engine-rotate-'));
    const clients: tls.TLSSocket[] = [];
    try {
      const files = { certFile: join(dir, 'pop.crt'), keyFile: join(dir, 'pop.key') };
      const first = await pki.issue({ commonName: 'edge.test', usage: 'server' });
      await replaceKeyAndCertificate(files, { certificatePem: first.certPem, privateKeyPem: first.keyPem });
      const sipPort = await freePort();
      const metricsPort = await freePort();
      child = spawn(process.execPath, [
        VPOP, 'engine', '--contact', `sips:127.0.0.1:${sipPort}`, '--port', String(await freePort()), '--secret', 'cymru',
        '--cert-file', files.certFile, '--key-file', files.keyFile, '--prometheus-scrape-port', String(metricsPort),
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      await waitForLine(child, /vpop engine running/, 10_000);
      const connect = async (): Promise<tls.TLSSocket> => {
        const socket = tls.connect({ host: '127.0.0.1', port: sipPort, ca: pki.ca.certPem, servername: 'edge.test' });
        clients.push(socket);
        await once(socket, 'secureConnect');
        return socket;
      };
      const servedFingerprint = (socket: tls.TLSSocket): string => socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      const older = await connect();
      expect(servedFingerprint(older)).toBe(first.fingerprint256);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/vpop_tls_certificate_expiry_timestamp_seconds\{[^}]*role="pop"[^}]*\} [1-9]/);

      // Rotation as `vpop certs rotate` does it: both files replaced by rename; the watcher reloads.
      const second = await pki.issue({ commonName: 'edge.test', usage: 'server' });
      const reloaded = waitForLine(child, /(?=.*TLS certificates reloaded)(?=.*files replaced)/, 10_000);
      await replaceKeyAndCertificate(files, { certificatePem: second.certPem, privateKeyPem: second.keyPem });
      await reloaded;
      expect(servedFingerprint(await connect())).toBe(second.fingerprint256);

      // The connection opened before the rotation still carries SIP.
      older.write([
        `OPTIONS sip:127.0.0.1:${sipPort};transport=tls SIP/2.0`, 'Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKrotate1',
        'Max-Forwards: 70', 'From: <sip:probe@127.0.0.1>;tag=r1', `To: <sip:127.0.0.1:${sipPort}>`, 'Call-ID: rotate-1',
        'CSeq: 1 OPTIONS', 'Content-Length: 0', '', '',
      ].join('\r\n'));
      const [reply] = await once(older, 'data') as [Buffer];
      expect(reply.toString()).toMatch(/^SIP\/2\.0 \d{3} /);

      // SIGHUP reloads too, for installs the watcher cannot see (e.g. a bind-mounted file edited in place).
      const third = await pki.issue({ commonName: 'edge.test', usage: 'server' });
      const hupReload = waitForLine(child, /(?=.*TLS certificates reloaded)(?=.*SIGHUP)/, 10_000);
      await replaceKeyAndCertificate(files, { certificatePem: third.certPem, privateKeyPem: third.keyPem });
      process.kill(child.pid!, 'SIGHUP');
      await hupReload;
      expect(servedFingerprint(await connect())).toBe(third.fingerprint256);
    } finally {
      for (const socket of clients) socket.destroy();
      await pki.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without a secret, naming the flag', async () => {
    child = spawn(process.execPath, [VPOP, 'engine', '--contact', 'sip:127.0.0.1:5999'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child!.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--secret is required/);
  });
});
