// The shared SIPp call flows through the whole edge (plain trunk carrier on 127.0.0.4 ->
// engine -> SBC with rtpengine -> SIPp callee as the core): both hang-up directions,
// CANCEL, failures passed back, re-INVITE hold/unhold and UPDATE offers carried through
// rtpengine; rtpengine back to 0 sessions after each flow.
import { afterEach, describe, expect, it } from 'vitest';
import { SIPP_FLOWS } from '../sipp-scenarios/flows.js';
import { runScenarioPair } from '../sipp-scenarios/scenario-pair.js';
import { startTestEdge, stopTestEdgeWithNoCallsLeft, type TestEdge } from './support/sbc-harness.js';

const FLOWS = ['basic-call', 'callee-bye', 'cancel', 'busy-486', 'unavailable-503', 'hold-unhold', 'update'];

describe('SIPp flows through the SBC', () => {
  let edge: TestEdge | undefined;
  afterEach(async () => {
    await stopTestEdgeWithNoCallsLeft(edge);
    edge = undefined;
  });

  it.each(SIPP_FLOWS.filter((flow) => FLOWS.includes(flow.name)))('$name', async (flow) => {
    edge = await startTestEdge();
    const run = await runScenarioPair({
      flow, transport: 'u1', uasAddress: '127.0.0.1', uasPort: edge.corePort,
      target: `127.0.0.1:${edge.sipPort}`, callerAddress: '127.0.0.4', calls: 3, timeoutSeconds: 30,
    });
    expect(run.uac.statistics?.successfulCalls, run.report).toBe(3);
    expect(run.uac.statistics?.failedCalls, run.report).toBe(0);
    await run.removeLogs();
  });
});
