// The same flows through `vpop engine` run as a child process with drachtio-server's flags
// (needs `npm run build`), the B2BUA app connecting as it would to drachtio-server, and the
// gauges read by scraping the engine's Prometheus endpoint over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startB2bua } from '../apps/b2bua-app.js';
import type { RunningApp } from '../apps/app-options.js';
import { scrapeMetric } from '../../bench/engine/prometheus-text.js';
import { freePort } from '../support/free-port.js';
import { waitForListeningSocket } from '../support/listening-sockets.js';
import { SIPP_FLOWS } from '../sipp-scenarios/flows.js';
import { runScenarioPair } from '../sipp-scenarios/scenario-pair.js';

const VPOP = 'dist/cli/vpop.js';
const SECRET = 'cymru';

describe('SIPp flows through `vpop engine` with drachtio-server flags', () => {
  let child: ChildProcess | undefined;
  let sipPort = 0;
  let controlPort = 0;
  let metricsPort = 0;
  beforeAll(async () => {
    expect(existsSync(VPOP), 'run `npm run build` first').toBe(true);
    [sipPort, controlPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    child = spawn(process.execPath, [
      VPOP, 'engine', '--contact', `sip:127.0.0.1:${sipPort};transport=udp,tcp`, '--port', String(controlPort),
      '--secret', SECRET, '--prometheus-scrape-port', String(metricsPort), '--loglevel', 'error',
    ], { stdio: ['ignore', 'ignore', 'ignore'] });
    const alive = () => child?.exitCode === null && child.signalCode === null;
    await waitForListeningSocket('tcp', '127.0.0.1', controlPort, 10_000, alive);
    await waitForListeningSocket('tcp', '127.0.0.1', metricsPort, 10_000, alive);
  });
  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
  });

  const scrape = (name: string) => scrapeMetric(`http://127.0.0.1:${metricsPort}/metrics`, name);

  it('hold-unhold then cancel-race over TCP, then no dialog or transaction left on /metrics', async () => {
    const uasPort = await freePort();
    const app: RunningApp = await startB2bua({ host: '127.0.0.1', port: controlPort, secret: SECRET, target: `127.0.0.1:${uasPort};transport=tcp` });
    try {
      for (const flow of SIPP_FLOWS.filter((candidate) => ['hold-unhold', 'cancel-race'].includes(candidate.name))) {
        const { uac, uas, report, removeLogs } = await runScenarioPair({
          flow, transport: 't1', uasAddress: '127.0.0.1', uasPort, target: `127.0.0.1:${sipPort}`, callerAddress: '127.0.0.1',
        });
        expect(uac.statistics?.failedCalls, report).toBe(0);
        expect(uac.statistics?.successfulCalls, report).toBe(flow.calls);
        expect(uas.statistics?.successfulCalls, report).toBe(flow.calls);
        await removeLogs();
      }
    } finally {
      app.stop();
    }
    await expect.poll(() => scrape('vpop_engine_dialogs_active'), { timeout: 5_000 }).toBe(0);
    // Accepted INVITE server transactions live for Timer L (64*T1 = 32 s) on every transport.
    await expect.poll(() => scrape('vpop_engine_transactions_active'), { timeout: 40_000, interval: 1000 }).toBe(0);
  }, 90_000);
});
