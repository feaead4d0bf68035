// `vpop up` as an operator runs it: the built CLI as a child process, a POP file on
// free loopback ports, real rtpengine under it. Needs `npm run build` first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from 'rtpengine-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/free-port.js';
import { isProcessAlive } from '../../platform/supervisor/process-alive.js';

const vpop = resolve('dist/cli/vpop.js');
const CALLER = '+15551234567';
const CALLER_DIGITS = '5551234567';

interface Ports {
  sip: number;
  control: number;
  ng: number;
  http: number;
  ops: number;
  media: number;
}

function popYaml(stateDir: string, ports: Ports): string {
  return `pop:
  id: up-test
  region: loopback
sip:
  listeners:
    - { name: udp, transport: udp, address: 127.0.0.1, port: ${ports.sip} }
engine:
  controlAddress: 127.0.0.1
  controlPort: ${ports.control}
  secret: up-test-secret
rtpengine:
  ngAddress: 127.0.0.1
  ngPort: ${ports.ng}
  httpPort: ${ports.http}
  interfaces:
    - { name: loopback, address: 127.0.0.1 }
  portMin: ${ports.media}
  portMax: ${Math.min(65535, ports.media + 20)}
  threads: 1
routingCore:
  sipUri: sip:127.0.0.1:5070
ops:
  address: 127.0.0.1
  port: ${ports.ops}
logging:
  level: debug
stateDir: ${stateDir}
`;
}


async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Health {
  status: string;
  children: Array<{ name: string; state: string; pid?: number; restarts: number }>;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('vpop up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpop-up-'));
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    if (!existsSync(vpop)) throw new Error(`${vpop} is missing: run \`npm run build\` before this test`);
  });
  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGKILL');
      await exitOf(child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('supervises rtpengine, serves health and metrics, restarts rtpengine, and stops it on SIGTERM', async () => {
    const ports: Ports = {
      sip: await freePort(), control: await freePort(), ng: await freePort(),
      http: await freePort(), ops: await freePort(), media: await freePort(),
    };
    const stateDir = join(dir, 'state');
    const popFile = join(dir, 'pop.yaml');
    writeFileSync(popFile, popYaml(stateDir, ports));
    child = spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const base = `http://127.0.0.1:${ports.ops}`;

    const health = await until(async () => {
      const response = await fetch(`${base}/healthz`);
      const body = await response.json() as Health;
      return response.status === 200 && body.children[0]?.state === 'ready' ? body : undefined;
    }, 'rtpengine ready in /healthz');
    const first = health.children[0]!;
    expect(first.name).toBe('rtpengine');
    expect(isProcessAlive(first.pid!)).toBe(true);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // The image's HEALTHCHECK command, against this running POP.
    const probe = spawn(process.execPath, [resolve('dist/platform/ops-http/probe-healthz.js'), popFile], { stdio: 'ignore' });
    expect(await exitOf(probe)).toEqual({ code: 0, signal: null });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('vpop_child_up{child="rtpengine",pop="up-test",component="supervisor"} 1');
    expect(metrics).toContain('vpop_rtpengine_up{pop="up-test",component="supervisor"} 1');
    expect(metrics).toMatch(/^rtpengine_sessions\{pop="up-test",component="rtpengine",type="own"\} 0$/m);

    // A call whose identifiers carry the caller number: rtpengine logs them at debug,
    // and what reaches vpop's log must be masked.
    const ng = new Client({ localAddress: '127.0.0.1', timeout: 2000 });
    ng.on('error', () => {});
    try {
      const sdp = `v=0\r\no=${CALLER} 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n`;
      const offer = await ng.offer({ host: '127.0.0.1', port: ports.ng }, {
        'call-id': `${CALLER}-call@127.0.0.1`, 'from-tag': 'ft1', sdp, 'from': `sip:${CALLER}@127.0.0.1`,
      });
      expect(offer.result).toBe('ok');
      await ng.delete({ host: '127.0.0.1', port: ports.ng }, { 'call-id': `${CALLER}-call@127.0.0.1`, 'from-tag': 'ft1' });
    } finally {
      ng.close();
    }

    process.kill(first.pid!, 'SIGKILL');
    const restarted = await until(async () => {
      const body = await (await fetch(`${base}/healthz`)).json() as Health;
      const rtpengine = body.children[0];
      return rtpengine?.state === 'ready' && rtpengine.pid !== first.pid ? rtpengine : undefined;
    }, 'rtpengine restarted and ready');
    expect(restarted.restarts).toBe(1);
    expect(isProcessAlive(first.pid!)).toBe(false);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('vpop_child_restarts_total{child="rtpengine",pop="up-test",component="supervisor"} 1');

    process.kill(child.pid!, 'SIGTERM');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(isProcessAlive(restarted.pid!)).toBe(false);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.component === 'vpop-up' && line.msg === 'POP up')).toBe(true);
    expect(lines.some((line) => line.component === 'rtpengine' && String(line.msg).includes('+***67'))).toBe(true);
    expect(output).not.toContain(CALLER_DIGITS);
  });

  it('after being SIGKILLed, replaces its orphaned rtpengine on the next start', async () => {
    const ports: Ports = {
      sip: await freePort(), control: await freePort(), ng: await freePort(),
      http: await freePort(), ops: await freePort(), media: await freePort(),
    };
    const popFile = join(dir, 'orphan.yaml');
    writeFileSync(popFile, popYaml(join(dir, 'orphan-state'), ports));
    const base = `http://127.0.0.1:${ports.ops}`;
    const readyRtpengine = () => until(async () => {
      const body = await (await fetch(`${base}/healthz`)).json() as Health;
      return body.children[0]?.state === 'ready' ? body.children[0] : undefined;
    }, 'rtpengine ready');

    const first = spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: 'ignore' });
    const orphan = (await readyRtpengine()).pid!;
    process.kill(first.pid!, 'SIGKILL');
    await exitOf(first);
    expect(isProcessAlive(orphan)).toBe(true);

    child = spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: 'ignore' });
    const second = (await readyRtpengine()).pid!;
    expect(second).not.toBe(orphan);
    expect(isProcessAlive(orphan)).toBe(false);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(isProcessAlive(second)).toBe(false);
  });

  it('exits 1 without starting anything when the ops port is taken', async () => {
    const ports: Ports = {
      sip: await freePort(), control: await freePort(), ng: await freePort(),
      http: await freePort(), ops: await freePort(), media: await freePort(),
    };
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(ports.ops, '127.0.0.1', resolve));
    try {
      const stateDir = join(dir, 'taken-state');
      const popFile = join(dir, 'taken.yaml');
      writeFileSync(popFile, popYaml(stateDir, ports));
      const blocked = spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      blocked.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      expect(await exitOf(blocked)).toEqual({ code: 1, signal: null });
      expect(stdout).toContain('cannot serve the ops endpoint; nothing started');
      expect(stdout).toContain('EADDRINUSE');
      expect(existsSync(join(stateDir, 'rtpengine.pid'))).toBe(false);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('vpopCommand runs a vpop subcommand from the build', async () => {
    // The built module, as `vpop up` uses it: its path points at dist/cli/vpop.js.
    const built = await import(resolve('dist/cli/commands/up.js')) as typeof import('./up.js');
    const { command, args } = built.vpopCommand('up', '--help');
    expect(args[0]).toBe(vpop);
    const help = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    help.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    expect(await exitOf(help)).toEqual({ code: 0, signal: null });
    expect(stdout).toContain('--pop <file>');
  });

  it('exits 2 and names file, line and field for a broken POP file', async () => {
    const popFile = join(dir, 'broken.yaml');
    const yaml = popYaml(join(dir, 'state2'), { sip: 5060, control: 9022, ng: 22222, http: 9101, ops: 70000, media: 30000 });
    writeFileSync(popFile, yaml);
    const line = yaml.split('\n').indexOf('  port: 70000') + 1;
    const broken = spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    broken.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    expect(await exitOf(broken)).toEqual({ code: 2, signal: null });
    expect(stderr).toContain(`${popFile}:${line}:9: ops.port:`);
  });
});
