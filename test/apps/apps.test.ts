// The small drachtio-srf apps against the engine, with SIPp scenarios as the network peers.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, TEST_SECRET, type RunningEngine } from '../engine/engine-harness.js';
import { freePort } from '../support/free-port.js';
import { describeSippRun, runSipp, startSipp, type SippProcess } from '../support/sipp.js';
import { DIALLED_NUMBER, SIPP_FLOWS } from '../sipp-scenarios/flows.js';
import type { RunningApp } from './app-options.js';
import { start as startUas } from './uas-app.js';
import { start as startUac } from './uac-app.js';
import { start as startOptions } from './options-app.js';

const flow = (name: string) => SIPP_FLOWS.find((candidate) => candidate.name === name)!;

describe('test apps behind the engine', () => {
  let engine: RunningEngine | undefined;
  let app: RunningApp | undefined;
  let callee: SippProcess | undefined;
  afterEach(async () => {
    app?.stop();
    app = undefined;
    await callee?.stop();
    callee = undefined;
    await engine?.stop();
    engine = undefined;
  });

  async function callerAgainstEngine(scenario: string, calls: number) {
    const result = await runSipp({
      scenario, target: `127.0.0.1:${engine!.sipPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls, rate: 10, timeoutSeconds: 30, service: DIALLED_NUMBER, extraArgs: ['-recv_timeout', '10000'],
    });
    return { result, report: await describeSippRun('caller', result) };
  }

  it('uas-app answers basic calls and takes the caller BYE', async () => {
    engine = await startTestEngine();
    app = await startUas({ host: '127.0.0.1', port: engine.controlPort, secret: TEST_SECRET });
    const { result, report } = await callerAgainstEngine(flow('basic-call').uac, 5);
    expect(result.statistics?.successfulCalls, report).toBe(5);
    expect(result.statistics?.failedCalls, report).toBe(0);
  });

  it('options-app answers OPTIONS with 200', async () => {
    engine = await startTestEngine();
    app = await startOptions({ host: '127.0.0.1', port: engine.controlPort, secret: TEST_SECRET });
    const { result, report } = await callerAgainstEngine(flow('options').uac, 5);
    expect(result.statistics?.successfulCalls, report).toBe(5);
  });

  it('uac-app places a call to a SIPp callee with createUAC and hangs up', async () => {
    engine = await startTestEngine();
    const calleePort = await freePort();
    callee = await startSipp({ scenario: flow('basic-call').uas, localAddress: '127.0.0.1', localPort: calleePort, transport: 'u1', calls: 1, timeoutSeconds: 30 });
    const uac = await startUac({ host: '127.0.0.1', port: engine.controlPort, secret: TEST_SECRET, target: `127.0.0.1:${calleePort}` });
    app = uac;
    await uac.call(DIALLED_NUMBER, 200);
    const result = await callee.result;
    expect(result.statistics?.successfulCalls, await describeSippRun('callee', result)).toBe(1);
  });
});
