// `vpop up` on a POP with tls.generateIfMissing: the certificate exists, issued by the
// local CA, before the POP reports healthy; a second start keeps it; half a pair stops
// the start with exit 2 before any process runs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { checkPopFile } from '../../platform/config/load-pop-config.js';
import { createCertificateAuthority } from '../../certs/certificate-authority.js';
import { builtCli as cli } from '../support/built-cli.js';
import { exitOf } from '../support/child-exit.js';
import { repoRoot } from '../support/repo-root.js';

const root = mkdtempSync(join(tmpdir(), 'vpop-up-certs-'));

async function popYaml(dir: string): Promise<{ file: string; ops: number }> {
  const [sip, tlsPort, control, ng, http, ops, media, core, coreListener] = [
    await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(),
    await freePort(), await freePort(),
  ];
  const file = join(dir, 'pop.yaml');
  writeFileSync(file, `pop: { id: up-certs, region: loopback }
sip:
  listeners:
    - { name: udp, transport: udp, address: 127.0.0.1, port: ${sip} }
    - { name: tls, transport: tls, address: 127.0.0.1, port: ${tlsPort} }
tls: { certFile: tls/pop.crt, keyFile: tls/pop.key, generateIfMissing: true }
engine: { controlAddress: 127.0.0.1, controlPort: ${control}, secret: up-certs-secret }
rtpengine:
  ngAddress: 127.0.0.1
  ngPort: ${ng}
  httpPort: ${http}
  interfaces: [{ name: loopback, address: 127.0.0.1 }]
  portMin: ${media}
  portMax: ${Math.min(65535, media + 20)}
  threads: 1
routingCore:
  sipUri: "sips:127.0.0.1:${core}"
  listener: { transport: tls, address: 127.0.0.1, port: ${coreListener} }
  caFile: state/ca/ca.crt
  certificate: { subject: core.up-certs }
  certFile: tls/core.crt
  keyFile: tls/core.key
ops: { address: 127.0.0.1, port: ${ops} }
logging: { level: info }
stateDir: state
`);
  return { file, ops };
}

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exitOf(child);
    }
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist/certs/ensure-pop-certificate.js'))) throw new Error('run `npm run build` before this test');
});

function startUp(file: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [cli, 'up', '--pop', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  children.push(child);
  return { child, output: () => output };
}

/** Until /healthz answers 200 or vpop up exits (first start makes two RSA keys, slow on a busy machine: vitest's timeout bounds it). */
async function healthy(ops: number, child: ChildProcess, output: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vpop up exited ${child.exitCode}: ${output()}`);
    const ok = await fetch(`http://127.0.0.1:${ops}/healthz`).then((response) => response.status === 200, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('vpop up and the POP certificate', () => {
  it('makes the certificate on first start and keeps it on the next', async () => {
    const dir = join(root, 'first-start');
    mkdirSync(dir);
    const { file, ops } = await popYaml(dir);
    const first = startUp(file);
    await healthy(ops, first.child, first.output);
    const certFile = join(dir, 'tls/pop.crt');
    expect(execFileSync('openssl', ['verify', '-CAfile', join(dir, 'state/ca/ca.crt'), certFile], { encoding: 'utf8' })).toBe(`${certFile}: OK\n`);
    expect(first.output()).toContain('made the POP certificate from the local CA');
    // The stand-in core's link certificate comes from the same CA, named as the POP file says.
    const coreCertFile = join(dir, 'tls/core.crt');
    expect(execFileSync('openssl', ['verify', '-CAfile', join(dir, 'state/ca/ca.crt'), coreCertFile], { encoding: 'utf8' })).toBe(`${coreCertFile}: OK\n`);
    expect(execFileSync('openssl', ['x509', '-noout', '-subject', '-in', coreCertFile], { encoding: 'utf8' })).toContain('CN = core.up-certs');
    expect(checkPopFile(file)).toEqual([]);
    const issued = readFileSync(certFile, 'utf8');
    first.child.kill('SIGTERM');
    expect((await exitOf(first.child)).code).toBe(0);

    const second = startUp(file);
    await healthy(ops, second.child, second.output);
    expect(readFileSync(certFile, 'utf8')).toBe(issued);
    expect(second.output()).not.toContain('made the POP certificate');
  });

  it('refuses to start with half a pair, before any process runs', async () => {
    const dir = join(root, 'half-pair');
    mkdirSync(join(dir, 'tls'), { recursive: true });
    const { file } = await popYaml(dir);
    // A valid certificate (the loader checks files that exist), but no key beside it.
    writeFileSync(join(dir, 'tls/pop.crt'), createCertificateAuthority({ commonName: 'lonely', keyBits: 2048 }).certificatePem);
    const { child, output } = startUp(file);
    expect((await exitOf(child)).code).toBe(2);
    expect(output()).toContain(`vpop up: ${file}: POP up-certs: ${join(dir, 'tls/pop.crt')} exists but ${join(dir, 'tls/pop.key')} does not`);
    expect(existsSync(join(dir, 'state/rtpengine.pid'))).toBe(false);
  });
});
