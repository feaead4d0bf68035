import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configureLogging } from '../logging/logger.js';
import { ChildState, Supervisor, type ChildSpec } from './supervisor.js';
import { isProcessAlive } from './process-alive.js';
import { waitUntil } from '../../test/support/wait-until.js';

const dir = mkdtempSync(join(tmpdir(), 'vpop-supervisor-'));
const logFile = join(dir, 'supervisor.log');
configureLogging({ level: 'info', destination: logFile });

const fastRestart = { initialDelayMs: 50, factor: 2, maxDelayMs: 200, resetAfterUpMs: 60_000 };
const supervisors: Supervisor[] = [];

function supervise(children: ChildSpec[]): { supervisor: Supervisor; registry: Registry } {
  const registry = new Registry();
  const supervisor = new Supervisor({ children, registry });
  supervisors.push(supervisor);
  return { supervisor, registry };
}

function node(script: string): Pick<ChildSpec, 'command' | 'args'> {
  return { command: process.execPath, args: ['-e', script] };
}

function logLines(component: string): Record<string, unknown>[] {
  return readFileSync(logFile, 'utf8').trim().split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.component === component);
}


afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Supervisor with real child processes', () => {
  it('restarts a crashing child with backoff and counts the restarts', async () => {
    const { supervisor, registry } = supervise([{ name: 'crasher', ...node('process.exit(3)'), restart: fastRestart }]);
    const startedAt = Date.now();
    supervisor.start();
    await waitUntil(() => supervisor.status()[0]!.restarts >= 3, 'three restarts');
    // 50 + 100 + 200 ms of backoff at least before the third restart
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(350);
    expect(supervisor.status()[0]!.lastExit?.code).toBe(3);
    expect(supervisor.healthy()).toBe(supervisor.status()[0]!.state !== ChildState.Backoff);
    const text = await registry.metrics();
    expect(text).toMatch(/vpop_child_restarts_total\{child="crasher"\} [3-9]/);
  });

  it('reports a long-running child up and ready, and stops it by PID with SIGTERM', async () => {
    const { supervisor, registry } = supervise([{ name: 'sleeper', ...node('setInterval(() => {}, 1000)') }]);
    supervisor.start();
    const [status] = supervisor.status();
    expect(status?.state).toBe(ChildState.Ready);
    const pid = status!.pid!;
    expect(isProcessAlive(pid)).toBe(true);
    expect(supervisor.healthy()).toBe(true);
    expect(supervisor.allReady()).toBe(true);
    expect(await registry.metrics()).toContain('vpop_child_up{child="sleeper"} 1');
    await supervisor.stop();
    expect(isProcessAlive(pid)).toBe(false);
    expect(supervisor.status()[0]).toMatchObject({ state: ChildState.Stopped, lastExit: { signal: 'SIGTERM' } });
    expect(await registry.metrics()).toContain('vpop_child_up{child="sleeper"} 0');
  });

  it('SIGKILLs a child that ignores SIGTERM after the grace period', async () => {
    const { supervisor } = supervise([{
      name: 'stubborn',
      ...node("process.on('SIGTERM', () => console.log('ignoring SIGTERM')); setInterval(() => {}, 1000); console.log('armed')"),
      stopGraceMs: 300,
    }]);
    supervisor.start();
    const pid = supervisor.status()[0]!.pid!;
    await waitUntil(() => logLines('stubborn').some((line) => line.msg === 'armed' && line.childPid === pid), 'the child to install its handler');
    const before = Date.now();
    await supervisor.stop();
    expect(Date.now() - before).toBeGreaterThanOrEqual(250);
    expect(isProcessAlive(pid)).toBe(false);
    expect(supervisor.status()[0]!.lastExit?.signal).toBe('SIGKILL');
  });

  it('waits for the readiness probe and starts a restarted child not ready', async () => {
    const marker = join(dir, 'ready-marker');
    const { supervisor, registry } = supervise([{
      name: 'slow-starter',
      ...node(`setTimeout(() => require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'), 300); setInterval(() => {}, 1000)`),
      readiness: () => Promise.resolve(existsSync(marker)),
      readinessIntervalMs: 50,
      restart: fastRestart,
    }]);
    supervisor.start();
    expect(supervisor.status()[0]!.state).toBe(ChildState.Starting);
    expect(supervisor.allReady()).toBe(false);
    expect(supervisor.healthy()).toBe(true);
    await waitUntil(() => supervisor.allReady(), 'readiness');
    expect(await registry.metrics()).toContain('vpop_child_ready{child="slow-starter"} 1');

    rmSync(marker);
    const firstPid = supervisor.status()[0]!.pid!;
    process.kill(firstPid, 'SIGKILL');
    await waitUntil(() => supervisor.status()[0]!.restarts === 1 && supervisor.status()[0]!.pid !== undefined, 'the restart');
    expect(supervisor.status()[0]!.pid).not.toBe(firstPid);
    expect(supervisor.status()[0]!.ready).toBe(false);
    await waitUntil(() => supervisor.allReady(), 'readiness after restart');
  });

  it('marks a ready child that stops answering its probe unresponsive, without killing it', async () => {
    let answering = true;
    const { supervisor, registry } = supervise([{
      name: 'wedged',
      ...node('setInterval(() => {}, 1000)'),
      readiness: () => (answering ? Promise.resolve(true) : Promise.reject(new Error('no pong'))),
      readinessIntervalMs: 20,
      livenessIntervalMs: 20,
      livenessFailures: 3,
    }]);
    supervisor.start();
    await waitUntil(() => supervisor.allReady(), 'readiness');
    const pid = supervisor.status()[0]!.pid!;
    answering = false;
    await waitUntil(() => supervisor.status()[0]!.state === ChildState.Unresponsive, 'unresponsive');
    expect(supervisor.healthy()).toBe(false);
    expect(supervisor.allReady()).toBe(false);
    expect(isProcessAlive(pid)).toBe(true);
    expect(await registry.metrics()).toContain('vpop_child_ready{child="wedged"} 0');
    expect(logLines('supervisor').some((line) => line.child === 'wedged' && line.msg === 'child stopped answering its probe; marked unresponsive')).toBe(true);
    answering = true;
    await waitUntil(() => supervisor.allReady(), 'ready again');
    expect(supervisor.status()[0]!.pid).toBe(pid);
    expect(supervisor.status()[0]!.restarts).toBe(0);
  });

  it('logs child output through the masked logger, under the child component', async () => {
    const { supervisor } = supervise([{
      name: 'chatty',
      ...node("console.log('INFO: call from +15551234567 to sip:alice.smith@127.0.0.1'); console.error('ERROR: rejected 4420794609'); setInterval(() => {}, 1000)"),
    }]);
    supervisor.start();
    await waitUntil(() => logLines('chatty').length >= 2, 'the child output in the log');
    expect(logLines('chatty')).toEqual(expect.arrayContaining([
      expect.objectContaining({ level: 'info', stream: 'stdout', msg: 'INFO: call from +***67 to sip:***th@127.0.0.1' }),
      expect.objectContaining({ level: 'error', stream: 'stderr', msg: 'ERROR: rejected ***09' }),
    ]));
    const text = readFileSync(logFile, 'utf8');
    expect(text).not.toContain('5551234567');
    expect(text).not.toContain('4420794609');
    expect(text).not.toContain('alice');
  });

  it('reports the last output lines of a crashed child in the crash log', async () => {
    const { supervisor } = supervise([{
      name: 'last-words',
      ...node("for (let k = 1; k <= 8; k++) console.error('line ' + k + ' of caller 15551234567'); process.exit(7)"),
      restart: { initialDelayMs: 60_000 },
    }]);
    supervisor.start();
    await waitUntil(() => logLines('supervisor').some((line) => line.child === 'last-words' && line.code === 7), 'the crash report');
    const report = logLines('supervisor').find((line) => line.child === 'last-words' && line.code === 7)!;
    expect(report.lastLines).toEqual([4, 5, 6, 7, 8].map((k) => `line ${k} of caller ***67`));
    expect(supervisor.status()[0]!.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('cuts a child\'s endless line instead of buffering it', async () => {
    const { supervisor } = supervise([{
      name: 'flood',
      ...node("process.stdout.write('y'.repeat(3_000_000)); process.stdout.write('\\nafter the flood\\n'); setInterval(() => {}, 1000)"),
    }]);
    supervisor.start();
    await waitUntil(() => logLines('flood').some((line) => line.msg === 'after the flood'), 'the line after the flood');
    const lines = logLines('flood');
    expect(lines).toHaveLength(2);
    expect(String(lines[0]!.msg)).toMatch(/^y{8192}…\[truncated\]$/);
  });

  it('keeps retrying a child whose binary does not exist, without crashing', async () => {
    const { supervisor } = supervise([{ name: 'missing', command: join(dir, 'no-such-binary'), args: [], restart: fastRestart }]);
    supervisor.start();
    await waitUntil(() => supervisor.status()[0]!.restarts >= 2, 'two restart attempts');
    // Spawned directly it fails with ENOENT; under setpriv, setpriv exits with an error.
    const { lastExit } = supervisor.status()[0]!;
    expect(lastExit).toBeDefined();
    expect(lastExit!.code).not.toBe(0);
  });

  it('refuses two children with the same name', () => {
    expect(() => supervise([{ name: 'a', ...node('') }, { name: 'a', ...node('') }])).toThrow(/two children are named "a"/);
  });

  it('touches nothing when stopped before its restart timer fires', async () => {
    const flag = join(dir, 'second-run');
    const { supervisor } = supervise([{
      name: 'once',
      ...node(`const fs = require('fs'); if (fs.existsSync(${JSON.stringify(flag + '-first')})) fs.writeFileSync(${JSON.stringify(flag)}, 'x'); else fs.writeFileSync(${JSON.stringify(flag + '-first')}, 'x'); process.exit(1)`),
      restart: { initialDelayMs: 400 },
    }]);
    supervisor.start();
    await waitUntil(() => supervisor.status()[0]!.state === ChildState.Backoff, 'the crash');
    await supervisor.stop();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(existsSync(flag)).toBe(false);
    expect(supervisor.status()[0]!.state).toBe(ChildState.Stopped);
  });

  it('takes an ipc child\'s readiness from its own reports, never from a port', async () => {
    const script = `
      setTimeout(() => process.send({ vpop: 'ready', details: { listeners: ['udp 127.0.0.1:5060'] } }), 300);
      process.on('message', (m) => process.send(m));
      setInterval(() => {}, 1000);`;
    const changes: string[] = [];
    const registry = new Registry();
    const supervisor: Supervisor = new Supervisor({
      children: [{ name: 'reporter', ...node(script), ipc: true }], registry,
      onChange: () => changes.push(supervisor.status()[0]!.state),
    });
    supervisors.push(supervisor);
    supervisor.start();
    expect(supervisor.status()[0]!.state).toBe(ChildState.Starting);
    await waitUntil(() => supervisor.allReady(), 'the child reports ready');
    expect(supervisor.readyDetails('reporter')).toEqual({ listeners: ['udp 127.0.0.1:5060'] });
    expect(changes).toEqual([ChildState.Starting, ChildState.Ready]);
  });

  it('marks an ipc child not ready when it says so, and ready again when it says so', async () => {
    const script = `
      process.send({ vpop: 'ready' });
      setTimeout(() => process.send({ vpop: 'not-ready', reason: 'lost the engine' }), 200);
      setTimeout(() => process.send({ vpop: 'ready' }), 600);
      setInterval(() => {}, 1000);`;
    const { supervisor } = supervise([{ name: 'flapper', ...node(script), ipc: true }]);
    supervisor.start();
    await waitUntil(() => supervisor.status()[0]!.state === ChildState.NotReady, 'not ready reported');
    expect(supervisor.allReady()).toBe(false);
    expect(supervisor.healthy()).toBe(true);
    await waitUntil(() => supervisor.allReady(), 'ready again');
  });

  it('forwards a child\'s pino records as records, with its component, and digits intact', async () => {
    const forwarded: string[] = [];
    const record = '{"level":"info","time":"2026-12-08T02:00:00.000Z","pid":1,"msg":"socket","receiveBufferBytes":2097152}';
    const own = '{"level":"warn","time":"2026-12-08T02:00:00.000Z","component":"engine","msg":"already named"}';
    const registry = new Registry();
    const supervisor = new Supervisor({
      children: [{ name: 'talker', ...node(`console.log(${JSON.stringify(record)}); console.log(${JSON.stringify(own)}); console.log('plain 5551234567')`) }],
      registry, forwardRecord: (line) => forwarded.push(line),
    });
    supervisors.push(supervisor);
    supervisor.start();
    await waitUntil(() => forwarded.length === 2 && supervisor.status()[0]!.state !== ChildState.Ready, 'two records and the exit');
    expect(JSON.parse(forwarded[0]!)).toEqual({ ...JSON.parse(record), component: 'talker' });
    expect(forwarded[1]).toBe(own);
    // A line that is not a record is logged here, masked.
    await waitUntil(() => logLines('talker').some((line) => String(line.msg).startsWith('plain')), 'the plain line logged');
    expect(logLines('talker').find((line) => String(line.msg).startsWith('plain'))?.msg).toBe('plain ***67');
  });
});
