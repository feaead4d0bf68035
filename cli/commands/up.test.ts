// `vpop up` as an operator runs it: the built CLI as a child process, a POP file on
// free loopback ports, real rtpengine under it. Needs `npm run build` first.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { join, resolve } from 'node:path';
import { Client } from 'rtpengine-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainTrunkPopYaml } from '../../test/support/plain-trunk-pop.js';
import { freePort } from '../../test/support/free-port.js';
import { describeSippRun, runSipp } from '../../test/support/sipp.js';
import { isProcessAlive } from '../../platform/supervisor/process-alive.js';
import { readProcessRecord } from '../../platform/supervisor/pop-process-record.js';
import { waitForValue } from '../../test/support/wait-until.js';
import { builtCli as vpop } from '../../test/support/built-cli.js';
import { exitOf } from '../../test/support/child-exit.js';
import { callerScenario } from '../../test/support/sipp-carrier-call.js';

const CALLER = '+15551234567';
const CALLER_DIGITS = '5551234567';

interface Ports {
  sip: number;
  control: number;
  ng: number;
  http: number;
  ops: number;
  media: number;
  core: number;
  coreListener: number;
  engineMetrics: number;
  sbcMetrics: number;
}

async function freePorts(): Promise<Ports> {
  return {
    sip: await freePort(), control: await freePort(), ng: await freePort(), http: await freePort(), ops: await freePort(),
    media: await freePort(), core: await freePort(), coreListener: await freePort(), engineMetrics: await freePort(), sbcMetrics: await freePort(),
  };
}

function popYaml(stateDir: string, ports: Ports, opsTokenFile?: string): string {
  const yaml = plainTrunkPopYaml({
    popId: 'up-test', stateDir, maxConcurrentCalls: 10, callsPerSecond: 10, rtpengineThreads: 1, logLevel: 'debug',
    ports: { ...ports, mediaMin: ports.media, mediaMax: Math.min(65535, ports.media + 20) },
  });
  return opsTokenFile === undefined ? yaml : yaml.replace(/^ops:\n/m, `ops:\n  tokenFile: ${opsTokenFile}\n`);
}

/** The POP's processes as vpop up recorded them (PIDs are not in an unauthenticated /healthz). */
function recordedPids(stateDir: string): Map<string, number> {
  return new Map((readProcessRecord(join(stateDir, 'vpop-up.processes.json'))?.children ?? []).map((c) => [c.name, c.pid]));
}


/** The ops port refuses connections until vpop up has bound it, so a failed probe counts as "not yet". */
function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  return waitForValue(() => probe().catch(() => undefined), what, { timeoutMs, intervalMs: 100 });
}

interface Health {
  status: string;
  children: Array<{ name: string; state: string; pid?: number; restarts: number }>;
}

const UP_CALLER = '+15559876543';
const UP_DIALLED = '18005550188';


describe('vpop up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpop-up-'));
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    if (!existsSync(vpop)) throw new Error(`${vpop} is missing: run \`npm run build\` before this test`);
  });
  // Every vpop up a test started: a test that fails midway must not leave a POP running.
  const started: ChildProcess[] = [];
  const track = (process_: ChildProcess): ChildProcess => {
    started.push(process_);
    return process_;
  };
  afterAll(async () => {
    for (const running of started) {
      if (running.pid === undefined || running.exitCode !== null || running.signalCode !== null) continue;
      // SIGTERM first: vpop up then stops its children (SIGKILL would orphan them).
      process.kill(running.pid, 'SIGTERM');
      const stopped = await Promise.race([exitOf(running), new Promise((done) => setTimeout(() => done(undefined), 15_000))]);
      if (stopped === undefined) {
        process.kill(running.pid, 'SIGKILL');
        await exitOf(running);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('supervises rtpengine, serves health and metrics, restarts rtpengine, and stops it on SIGTERM', async () => {
    const ports = await freePorts();
    const stateDir = join(dir, 'state');
    const popFile = join(dir, 'pop.yaml');
    // A token file written the way editors leave them: blank line first, trailing space and newline.
    writeFileSync(join(dir, 'ops-token'), '\nops-secret-token \n');
    writeFileSync(popFile, popYaml(stateDir, ports, join(dir, 'ops-token')));
    child = track(spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: ['ignore', 'pipe', 'pipe'] }));
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const base = `http://127.0.0.1:${ports.ops}`;
    const authorized = { headers: { Authorization: 'Bearer ops-secret-token' } };
    const fetch = (url: string, init: RequestInit = authorized): Promise<Response> => globalThis.fetch(url, init);

    const health = await until(async () => {
      const response = await fetch(`${base}/healthz`);
      const body = await response.json() as Health;
      return response.status === 200 && body.children.every((c) => c.state === 'ready') ? body : undefined;
    }, 'rtpengine and the other POP processes ready in /healthz', 30_000);
    const first = health.children[0]!;
    expect(first.name).toBe('rtpengine');
    expect(isProcessAlive(first.pid!)).toBe(true);
    expect((await fetch(`${base}/readyz`, {})).status).toBe(200);
    // Without the token: health without PIDs, no metrics.
    const anonymous = await (await fetch(`${base}/healthz`, {})).json() as Health;
    expect(anonymous.children.map((c) => c.state)).toEqual(['ready', 'ready', 'ready', 'ready']);
    expect(anonymous.children.some((c) => 'pid' in c)).toBe(false);
    expect((await fetch(`${base}/metrics`, {})).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
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
    // docs/troubleshooting.md's jq recipes, run on this output as they would be on `npm run -s up`.
    const recipes = readFileSync('docs/troubleshooting.md', 'utf8').split('\n')
      .filter((line) => line.startsWith('npm run -s up | jq '))
      .map((line) => /^npm run -s up \| jq (-[cr]) '(.*)'$/.exec(line));
    expect(recipes.length).toBeGreaterThanOrEqual(3);
    for (const recipe of recipes) {
      expect(recipe, 'a recipe of the form npm run -s up | jq -c|-r \'FILTER\'').not.toBeNull();
      const jq = spawnSync('jq', [recipe![1]!, recipe![2]!], { input: output, encoding: 'utf8' });
      expect(jq.status, `${recipe![0]}: ${jq.stderr}`).toBe(0);
      expect(jq.stdout.trim(), recipe![0]).not.toBe('');
    }
    // What `npm run -s up` adds before vpop up: bootstrap's build step, silent on stdout.
    const build = spawnSync('bash', ['scripts/build-if-changed.sh'], { encoding: 'utf8' });
    expect(build.status).toBe(0);
    expect(build.stdout).toBe('');
    expect(build.stderr).toBe('bootstrap: dist/ is up to date with the sources; build skipped\n');
    // Ready at start, not ready while rtpengine restarted, ready again.
    const readiness = lines.filter((line) => line.component === 'vpop-up' && /^POP (not )?ready/.test(String(line.msg))).map((line) => line.msg);
    expect(readiness).toEqual([
      `POP ready: SIP udp 127.0.0.1:${ports.sip}; ops http://127.0.0.1:${ports.ops}`,
      'POP not ready: rtpengine backoff',
      `POP ready: SIP udp 127.0.0.1:${ports.sip}; ops http://127.0.0.1:${ports.ops}`,
    ]);
    expect(lines.some((line) => line.component === 'rtpengine' && String(line.msg).includes('+***67'))).toBe(true);
    expect(output).not.toContain(CALLER_DIGITS);
  });

  it('runs the whole POP: a SIPp call from the plain trunk reaches the stand-in core through engine, SBC and rtpengine', async () => {
    const ports = await freePorts();
    const stateDir = join(dir, 'call-state');
    const popFile = join(dir, 'call.yaml');
    writeFileSync(popFile, popYaml(stateDir, ports));
    let log = '';
    // Debug everywhere (the children inherit it), so anything that would print a number does.
    const up = track(spawn(process.execPath, [vpop, 'up', '--pop', popFile], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VPOP_LOG_LEVEL: 'debug' },
    }));
    up.stdout?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    up.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    const base = `http://127.0.0.1:${ports.ops}`;
    // Polled fast: the call goes out the moment /readyz turns 200, and must succeed.
    await waitForValue(async () => {
      const response = await fetch(`${base}/readyz`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    }, '/readyz 200', { timeoutMs: 30_000, intervalMs: 10 });
    const scenario = join(dir, 'caller-uac.xml');
    writeFileSync(scenario, callerScenario(UP_CALLER, 300));
    const result = await runSipp({
      scenario, target: `127.0.0.1:${ports.sip}`, localAddress: '127.0.0.4', localPort: await freePort('127.0.0.4'),
      transport: 'u1', calls: 1, timeoutSeconds: 10, service: UP_DIALLED,
    });
    expect(result.statistics?.successfulCalls, await describeSippRun('first call when /readyz turned 200', result)).toBe(1);
    const health = await (await fetch(`${base}/healthz`)).json() as Health;
    expect(health.children.map((c) => [c.name, c.state])).toEqual([['rtpengine', 'ready'], ['engine', 'ready'], ['stand-in-core', 'ready'], ['sbc', 'ready']]);
    const pids = recordedPids(stateDir);
    expect([...pids.keys()]).toEqual(['rtpengine', 'engine', 'stand-in-core', 'sbc']);

    // vpop engine discards known scanners: silence, counted in the engine's metrics.
    const scanner = createSocket('udp4');
    const replies: string[] = [];
    scanner.on('message', (data) => replies.push(data.toString('latin1')));
    await new Promise<void>((done) => scanner.bind(0, '127.0.0.4', done));
    const scannerPort = scanner.address().port;
    scanner.send([
      `OPTIONS sip:100@127.0.0.1:${ports.sip} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.4:${scannerPort};branch=z9hG4bK-scan;rport`,
      'Max-Forwards: 70', 'From: <sip:100@127.0.0.4>;tag=scan', 'To: <sip:100@127.0.0.1>', 'Call-ID: scan-up-test',
      'CSeq: 1 OPTIONS', 'User-Agent: friendly-scanner', 'Content-Length: 0', '', '',
    ].join('\r\n'), ports.sip, '127.0.0.1');
    await new Promise((done) => setTimeout(done, 1000));
    scanner.close();
    expect(replies).toEqual([]);

    const metrics = await until(async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return /^rtpengine_sessions\{[^}]*type="own"\} 0$/m.test(text) && text.includes('vpop_sbc_calls_active{') ? text : undefined;
    }, 'rtpengine sessions back to 0');
    // The engine's and the SBC's own series come through the ops port, each family once.
    expect(metrics).toMatch(/^vpop_engine_sip_messages_total\{direction="in",method="INVITE",status="",[^}]*component="engine"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^vpop_sbc_calls_active\{[^}]*trunk="loopback-plain"[^}]*\} 0$/m);
    expect(metrics.split('\n').filter((line) => line.startsWith('# TYPE process_cpu_user_seconds_total '))).toHaveLength(1);
    expect(metrics).toMatch(/^vpop_engine_discarded_requests_total\{reason="scanner-user-agent",[^}]*\} 1$/m);

    process.kill(up.pid!, 'SIGTERM');
    expect(await exitOf(up)).toEqual({ code: 0, signal: null });
    for (const [name, pid] of pids) expect(isProcessAlive(pid), name).toBe(false);
    // The SBC's CDR lines name the caller (masked, inside the supervisor's JSON): the number
    // was logged, never in clear. No node child wrote to stderr (no crash, e.g. on SIGTERM).
    expect(log).toMatch(/caller\W+\+?\*+43\b/);
    expect(log).not.toMatch(/"component":"(sbc|engine|stand-in-core)","stream":"stderr"/);
    expect(log).not.toContain(UP_CALLER.slice(2));
    expect(log).not.toContain(UP_DIALLED.slice(1));
  });

  it('SIGKILLed with a call up: every process dies with it, and the next start comes up clean and carries a call', async () => {
    const ports = await freePorts();
    const popFile = join(dir, 'orphan.yaml');
    const stateDir = join(dir, 'orphan-state');
    writeFileSync(popFile, popYaml(stateDir, ports));
    const base = `http://127.0.0.1:${ports.ops}`;
    const readyPop = () => until(async () => {
      const response = await fetch(`${base}/readyz`);
      if (response.status !== 200) return undefined;
      const restarts = ((await (await fetch(`${base}/healthz`)).json()) as Health).children.map((c) => c.restarts);
      return { pids: recordedPids(stateDir), restarts };
    }, 'POP ready', 30_000);
    const longCall = join(dir, 'long-call.xml');
    writeFileSync(longCall, callerScenario(UP_CALLER, 5000));
    const shortCall = join(dir, 'short-call.xml');
    writeFileSync(shortCall, callerScenario(UP_CALLER, 300));

    const first = track(spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: 'ignore' }));
    const old = await readyPop();
    const call = runSipp({
      scenario: longCall, target: `127.0.0.1:${ports.sip}`, localAddress: '127.0.0.4', localPort: await freePort('127.0.0.4'),
      transport: 'u1', calls: 1, timeoutSeconds: 8, service: UP_DIALLED,
    });
    await until(async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return /^vpop_sbc_calls_active\{[^}]*trunk="loopback-plain"[^}]*\} 1$/m.test(text) ? true : undefined;
    }, 'the call up in the SBC');
    process.kill(first.pid!, 'SIGKILL');
    await exitOf(first);
    // Node children see their IPC channel close; rtpengine gets the kernel's parent-death signal.
    expect(old.pids.size).toBe(4);
    await until(async () => ([...old.pids.values()].every((pid) => !isProcessAlive(pid)) ? true : undefined), 'every process of the killed POP gone');
    await call;

    child = track(spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: 'ignore' }));
    const fresh = await readyPop();
    for (const pid of fresh.pids.values()) expect([...old.pids.values()]).not.toContain(pid);
    expect(fresh.restarts).toEqual([0, 0, 0, 0]);
    const result = await runSipp({
      scenario: shortCall, target: `127.0.0.1:${ports.sip}`, localAddress: '127.0.0.4', localPort: await freePort('127.0.0.4'),
      transport: 'u1', calls: 1, timeoutSeconds: 10, service: UP_DIALLED,
    });
    expect(result.statistics?.successfulCalls, await describeSippRun('call after the restart', result)).toBe(1);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    for (const [name, pid] of fresh.pids) expect(isProcessAlive(pid), name).toBe(false);
  });

  it('exits 1 without starting anything when the ops port is taken', async () => {
    const ports = await freePorts();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(ports.ops, '127.0.0.1', resolve));
    try {
      const stateDir = join(dir, 'taken-state');
      const popFile = join(dir, 'taken.yaml');
      writeFileSync(popFile, popYaml(stateDir, ports));
      const blocked = track(spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: ['ignore', 'pipe', 'pipe'] }));
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
    const yaml = popYaml(join(dir, 'state2'), { sip: 5060, control: 9022, ng: 22222, http: 9101, ops: 70000, media: 30000, core: 5070, coreListener: 5062, engineMetrics: 9091, sbcMetrics: 9092 });
    writeFileSync(popFile, yaml);
    const line = yaml.split('\n').indexOf('  port: 70000') + 1;
    const broken = track(spawn(process.execPath, [vpop, 'up', '--pop', popFile], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stderr = '';
    broken.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    expect(await exitOf(broken)).toEqual({ code: 2, signal: null });
    expect(stderr).toContain(`${popFile}:${line}:9: ops.port:`);
  });
});
