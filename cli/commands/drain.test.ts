// `vpop drain` against a running POP (the built CLI's `vpop up`, real rtpengine, SIPp as
// the carrier on 127.0.0.4): a call in progress carries on to its BYE, a new call gets
// 503, the drain returns once the call ended; a restarted POP takes calls again.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsInProgress } from './drain.js';
import { builtCli, requireBuiltCli } from '../../test/support/built-cli.js';
import { exitOf } from '../../test/support/child-exit.js';
import { freePort } from '../../test/support/free-port.js';
import { plainTrunkPopYaml } from '../../test/support/plain-trunk-pop.js';
import { carrierCallScenario, dialledNumber } from '../../test/support/sipp-carrier-call.js';
import { runSipp, type SippResult } from '../../test/support/sipp.js';
import { waitForValue } from '../../test/support/wait-until.js';
import { drainFlagPath } from '../../platform/drain/drain-flag.js';

describe('callsInProgress', () => {
  it('sums vpop_sbc_calls_active over trunks; 0 for a family with no series, undefined without the family', () => {
    const text = '# TYPE vpop_sbc_calls_active gauge\nvpop_sbc_calls_active{trunk="a",pop="x"} 2\nvpop_sbc_calls_active{trunk="b",pop="x"} 1\nvpop_sbc_calls_active_other 9\n';
    expect(callsInProgress(text)).toBe(3);
    expect(callsInProgress('# HELP vpop_sbc_calls_active x\n# TYPE vpop_sbc_calls_active gauge\n')).toBe(0);
    expect(callsInProgress('# TYPE vpop_child_up gauge\n')).toBeUndefined();
  });
});

describe('vpop drain', () => {
  let dir: string;
  let popFile: string;
  let stateDir: string;
  let opsUrl: string;
  let sipPort: number;
  let pop: ChildProcess | undefined;

  async function startPop(): Promise<void> {
    pop = spawn(process.execPath, [builtCli, 'up', '--pop', popFile], { stdio: ['ignore', 'ignore', 'inherit'] });
    // Ready, and the SBC's figures are served (its engine connection is up).
    await waitForValue(async () => {
      const ready = await fetch(`${opsUrl}/readyz`).then((response) => response.ok, () => false);
      const metrics = ready ? await fetch(`${opsUrl}/metrics`).then((response) => response.text(), () => '') : '';
      return callsInProgress(metrics) === 0 ? true : undefined;
    }, 'the POP to be ready with the SBC\'s call gauge', { timeoutMs: 90_000, intervalMs: 200 });
  }

  async function stopPop(): Promise<void> {
    if (pop && pop.exitCode === null && pop.signalCode === null) {
      pop.kill('SIGTERM');
      await exitOf(pop);
    }
  }

  async function call(holdMs: number): Promise<SippResult> {
    const scenario = join(dir, 'call.xml');
    writeFileSync(scenario, carrierCallScenario);
    return runSipp({
      scenario, target: `127.0.0.1:${sipPort}`, localAddress: '127.0.0.4', localPort: await freePort('127.0.0.4'), transport: 'u1',
      calls: 1, service: dialledNumber, durationMs: holdMs, timeoutSeconds: 30,
    });
  }

  function drain(...args: string[]): { child: ChildProcess; output: Promise<{ code: number | null; stdout: string }> } {
    const child = spawn(process.execPath, [builtCli, 'drain', '--pop', popFile, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    return { child, output: exitOf(child).then(({ code }) => ({ code, stdout })) };
  }

  beforeAll(async () => {
    requireBuiltCli(['cli/commands/drain.js']);
    dir = mkdtempSync(join(tmpdir(), 'vpop-drain-'));
    stateDir = join(dir, 'state');
    const ports = {
      sip: await freePort(), control: await freePort(), ng: await freePort(), http: await freePort(), ops: await freePort(),
      core: await freePort(), coreListener: await freePort(), engineMetrics: await freePort(), sbcMetrics: await freePort(), mediaMin: await freePort(), mediaMax: 0,
    };
    ports.mediaMax = Math.min(65535, ports.mediaMin + 20);
    sipPort = ports.sip;
    opsUrl = `http://127.0.0.1:${ports.ops}`;
    popFile = join(dir, 'drain-a.yaml');
    writeFileSync(popFile, plainTrunkPopYaml({
      popId: 'drain-a', ports, stateDir, maxConcurrentCalls: 10, callsPerSecond: 10, rtpengineThreads: 1, logLevel: 'warn',
    }));
    await startPop();
  }, 120_000);

  afterAll(async () => {
    await stopPop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses new calls with 503, lets the call in progress finish, and returns when it has', async () => {
    const longCall = call(8000);
    await waitForValue(async () => {
      const calls = callsInProgress(await fetch(`${opsUrl}/metrics`).then((response) => response.text()));
      return calls === 1 ? true : undefined;
    }, 'the long call to be in progress', { timeoutMs: 20_000, intervalMs: 100 });

    const started = Date.now();
    const draining = drain('--timeout', '30');
    await waitForValue(() => (existsSync(drainFlagPath(stateDir)) ? true : undefined), 'the drain flag');

    const refused = await call(0);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.statistics?.failedCalls).toBe(1);

    const finished = await longCall;
    expect(finished.exitCode, 'the call in progress was cut').toBe(0);
    const { code, stdout } = await draining.output;
    expect(code).toBe(0);
    expect(stdout).toMatch(/drained: no call in progress after [\d.]+ s/);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 90_000);

  it('--cancel takes calls again; a call outlasting --timeout gives exit 1 and the POP keeps refusing', async () => {
    // Still draining from the test before: --cancel ends that.
    expect((await drain('--cancel').output).code).toBe(0);
    expect(existsSync(drainFlagPath(stateDir))).toBe(false);
    // Long enough to outlast starting the drain CLI on a loaded machine.
    const longCall = call(15_000);
    await waitForValue(async () => {
      const calls = callsInProgress(await fetch(`${opsUrl}/metrics`).then((response) => response.text()));
      return calls === 1 ? true : undefined;
    }, 'the call to be in progress', { timeoutMs: 20_000, intervalMs: 100 });
    const { code, stdout } = await drain('--timeout', '1').output;
    expect(code).toBe(1);
    expect(stdout).toMatch(/timed out after [\d.]+ s with 1 call\(s\) in progress; still refusing new calls/);
    expect((await call(0)).statistics?.failedCalls).toBe(1);
    expect((await longCall).exitCode).toBe(0);
    expect((await drain('--cancel').output).code).toBe(0);
    expect((await call(0)).exitCode).toBe(0);
  }, 90_000);

  it('a restart after a drain takes calls again', async () => {
    expect((await drain('--timeout', '5').output).code).toBe(0);
    await stopPop();
    expect((await drain('--timeout', '5').output).stdout).toContain('is not running');
    await startPop();
    expect(existsSync(drainFlagPath(stateDir))).toBe(false);
    expect((await call(0)).exitCode).toBe(0);
  }, 120_000);
});
