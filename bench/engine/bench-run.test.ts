// The benchmark topology itself: `vpop engine` and the createB2BUA app as their own processes
// (from dist/: run `npm run build` first), SIPp on both sides. Checks that calls flow, that the
// engine's dialog gauge is what the benchmarks read, and that stop() leaves no process behind.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { readProcStat, startUsageWindow } from './process-sampler.js';
import { LOOPBACK, startBenchSipp, runUacBounded, startTopology, waitForEngineIdle, type BenchTopology } from './bench-run.js';

describe('engine benchmark topology', () => {
  let topology: BenchTopology | undefined;
  afterEach(async () => {
    await topology?.stop();
    topology = undefined;
  });

  it('carries 20 SIPp calls through engine and app processes and stops every process by PID', async () => {
    topology = await startTopology({ name: 'test', direct: false, transport: 'u1', maxRunSeconds: 60 });
    const engine = topology.engine!;
    const app = topology.app!;
    const uac = await startBenchSipp(topology, {
      scenario: 'uac', target: topology.target, localAddress: LOOPBACK, transport: 'u1',
      rate: 10, calls: 20, durationMs: 500, timeoutSeconds: 40, traceMessages: false,
      logDir: await mkdtemp(join(topology.logDir, 'uac-')),
    });
    const window = await startUsageWindow([{ name: 'engine', pid: engine.child.pid }, { name: 'app', pid: app.pid }], 250);
    // Part-way through, the engine holds dialogs (two per call: one for each B2BUA leg).
    await expect.poll(() => engine.metric('vpop_engine_dialogs_active'), { timeout: 10_000 }).toBeGreaterThan(0);
    const result = await runUacBounded(uac, 45);
    const usage = await window.finish();
    expect(result.statistics?.successfulCalls, result.logs.dir).toBe(20);
    expect(result.statistics?.failedCalls).toBe(0);
    expect(await waitForEngineIdle(topology, 10_000)).toBe(0);
    for (const entry of usage) {
      expect(entry.cpuPercent, entry.name).toBeGreaterThan(0);
      expect(entry.peakRssBytes, entry.name).toBeGreaterThan(20 * 1024 * 1024);
    }
    const pids = [engine.child.pid, app.pid, topology.uas.pid, uac.pid];
    await topology.stop();
    topology = undefined;
    for (const pid of pids) expect(await readProcStat(pid), `pid ${pid}`).toBeUndefined();
  });
});
