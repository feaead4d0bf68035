// Issue 3's scenario matrix: every SIPp flow in test/sipp-scenarios run through the SIP
// engine with the drachtio-srf B2BUA app between caller and callee, over UDP and TCP.
// After each run the engine's dialog and transaction gauges must be back to 0.
import { afterEach, describe, expect, it } from 'vitest';
import { LINGER_TIMERS, startTestEngine, TEST_SECRET, type RunningEngine } from '../engine/engine-harness.js';
import { start as startB2bua } from '../apps/b2bua-app.js';
import type { RunningApp } from '../apps/app-options.js';
import { freePort } from '../support/free-port.js';
import { expectGaugeToReachZero } from './engine-gauges.js';
import { SIPP_FLOWS, type SippFlow } from '../sipp-scenarios/flows.js';
import { runScenarioPair } from '../sipp-scenarios/scenario-pair.js';
import type { SippTransport } from '../support/sipp.js';

describe('SIPp flows through the engine and a drachtio-srf B2BUA', () => {
  let engine: RunningEngine | undefined;
  let app: RunningApp | undefined;
  afterEach(async () => {
    app?.stop();
    app = undefined;
    await engine?.stop();
    engine = undefined;
  });

  async function runThroughEngine(flow: SippFlow, transport: SippTransport, calls?: number, rate?: number) {
    engine = await startTestEngine({ timers: LINGER_TIMERS });
    const uasPort = await freePort();
    const protocol = transport.startsWith('t') ? 'tcp' : 'udp';
    app = await startB2bua({ host: '127.0.0.1', port: engine.controlPort, secret: TEST_SECRET, target: `127.0.0.1:${uasPort};transport=${protocol}` });
    const running = engine;
    await expect.poll(() => running.engine.control.routes.appsFor('invite').length).toBe(1);
    return runScenarioPair({
      flow, transport, calls, rate,
      uasAddress: '127.0.0.1', uasPort,
      target: `127.0.0.1:${engine.sipPort}`,
      callerAddress: '127.0.0.1',
      traceMessages: (calls ?? flow.calls) <= 100,
      timeoutSeconds: calls && rate ? Math.ceil(calls / rate) + 30 : 40,
    });
  }

  async function expectEngineIdle(): Promise<void> {
    const registry = engine!.engine.registry;
    await expectGaugeToReachZero(registry, 'vpop_engine_dialogs_active');
    await expectGaugeToReachZero(registry, 'vpop_engine_transactions_active');
  }

  for (const transport of ['u1', 't1'] as const) {
    for (const flow of SIPP_FLOWS) {
      it(`${flow.name} over ${transport === 'u1' ? 'UDP' : 'TCP'}`, async () => {
        const { uac, uas, report, removeLogs } = await runThroughEngine(flow, transport);
        expect(uac.statistics?.failedCalls, report).toBe(0);
        expect(uac.statistics?.successfulCalls, report).toBe(flow.calls);
        expect(uas.statistics?.failedCalls, report).toBe(0);
        expect(uas.statistics?.successfulCalls, report).toBe(flow.calls);
        await expectEngineIdle();
        await removeLogs();
      });
    }
  }

  it('1000 sequential basic calls at 50 per second over UDP, none failed', async () => {
    const basic = SIPP_FLOWS.find((flow) => flow.name === 'basic-call')!;
    const { uac, uas, report, removeLogs } = await runThroughEngine(basic, 'u1', 1000, 50);
    expect(uac.statistics?.failedCalls, report).toBe(0);
    expect(uac.statistics?.successfulCalls, report).toBe(1000);
    expect(uas.statistics?.successfulCalls, report).toBe(1000);
    await expectEngineIdle();
    await removeLogs();
  }, 120_000);
});
