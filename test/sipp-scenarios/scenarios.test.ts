import { describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { SIPP_FLOWS } from './flows.js';
import { runScenarioPair } from './scenario-pair.js';

// Each caller scenario against its callee scenario, SIPp to SIPp with nothing in between,
// so the scenarios are known good before the engine is put between them.
describe('SIPp scenarios, caller against callee directly', () => {
  for (const transport of ['u1', 't1'] as const) {
    for (const flow of SIPP_FLOWS) {
      it(`${flow.name} over ${transport === 'u1' ? 'UDP' : 'TCP'}: ${flow.calls} calls, none failed`, async () => {
        const uasPort = await freePort();
        const { uac, uas, report, removeLogs } = await runScenarioPair({
          flow,
          transport,
          uasAddress: '127.0.0.1',
          uasPort,
          target: `127.0.0.1:${uasPort}`,
          callerAddress: '127.0.0.1',
        });
        expect(uac.statistics?.failedCalls, report).toBe(0);
        expect(uac.statistics?.successfulCalls, report).toBe(flow.calls);
        expect(uas.statistics?.failedCalls, report).toBe(0);
        expect(uas.statistics?.successfulCalls, report).toBe(flow.calls);
        expect(uac.exitCode, report).toBe(0);
        await removeLogs();
      });
    }
  }
});
