// Every SIPp flow through the engine's stateful proxy (drachtio's `proxy` verb, Record-Route),
// driven by the drachtio-srf proxy app, over UDP and TCP: in-dialog requests follow the route
// set back through the engine, and its gauges return to 0 afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { LINGER_TIMERS, startTestEngine, TEST_SECRET, type RunningEngine } from '../engine/engine-harness.js';
import { start as startProxy } from '../apps/proxy-app.js';
import type { RunningApp } from '../apps/app-options.js';
import { freePort } from '../support/free-port.js';
import { expectGaugeToReachZero } from './engine-gauges.js';
import { PROXIED_503_FLOW, SIPP_FLOWS } from '../sipp-scenarios/flows.js';
import { runScenarioPair } from '../sipp-scenarios/scenario-pair.js';

describe('SIPp flows through the engine as a stateful proxy (drachtio-srf proxy app)', () => {
  let engine: RunningEngine | undefined;
  let app: RunningApp | undefined;
  afterEach(async () => {
    app?.stop();
    app = undefined;
    await engine?.stop();
    engine = undefined;
  });

  // The app proxies INVITEs only, so OPTIONS is not in this matrix; and a proxy forwards the
  // callee's 503 as 500 (RFC 3261 16.7), which proxied-503 expects in place of unavailable-503.
  const flows = [...SIPP_FLOWS.filter((flow) => !['options', 'unavailable-503'].includes(flow.name)), PROXIED_503_FLOW];
  for (const transport of ['u1', 't1'] as const) {
    for (const flow of flows) {
      it(`${flow.name} over ${transport === 'u1' ? 'UDP' : 'TCP'}`, async () => {
        engine = await startTestEngine({ timers: LINGER_TIMERS });
        const uasPort = await freePort();
        const protocol = transport === 'u1' ? 'udp' : 'tcp';
        app = await startProxy({ host: '127.0.0.1', port: engine.controlPort, secret: TEST_SECRET, target: `127.0.0.1:${uasPort};transport=${protocol}` });
        const running = engine;
        await expect.poll(() => running.engine.control.routes.appsFor('invite').length).toBe(1);
        const { uac, uas, report } = await runScenarioPair({
          flow, transport, uasAddress: '127.0.0.1', uasPort, target: `127.0.0.1:${engine.sipPort}`, callerAddress: '127.0.0.1',
        });
        expect(uac.statistics?.failedCalls, report).toBe(0);
        expect(uac.statistics?.successfulCalls, report).toBe(flow.calls);
        expect(uas.statistics?.failedCalls, report).toBe(0);
        expect(uas.statistics?.successfulCalls, report).toBe(flow.calls);
        await expectGaugeToReachZero(running.engine.registry, 'vpop_engine_dialogs_active');
        await expectGaugeToReachZero(running.engine.registry, 'vpop_engine_transactions_active');
      });
    }
  }
});
