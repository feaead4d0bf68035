// Issue 8: a call whose peer vanished without a BYE ends, and its CDR says why. Timers
// are short in these POPs (sbc.sessionExpiresSeconds, rtpengine.mediaTimeoutSeconds,
// trunks[].maxCallSeconds) so each end comes within seconds.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../edge/sbc/call/cdr-writer.js';
import { describeSippRun, type SippProcess } from '../support/sipp.js';
import { waitUntil } from '../support/wait-until.js';
import { startEdgeProcesses, type EdgeProcesses, type EdgeProcessesOptions } from './support/edge-processes.js';
import { startCore, startHeldCall } from './support/held-call.js';

const ACTIVE = 'vpop_sbc_calls_active{trunk="loopback-plain"}';
const ANSWERED = 'vpop_sbc_call_answers_total{trunk="loopback-plain",direction="inbound"}';

describe('calls whose peer vanished', () => {
  let edge: EdgeProcesses | undefined;
  const sipps: SippProcess[] = [];
  afterEach(async () => {
    await Promise.all(sipps.splice(0).map((sipp) => sipp.stop()));
    await edge?.stop();
    edge = undefined;
  });

  async function callUp(options: EdgeProcessesOptions, callerSessionExpires: number): Promise<{ carrier: SippProcess; core: SippProcess }> {
    edge = await startEdgeProcesses(options);
    const core = await startCore(edge.corePort);
    sipps.push(core);
    const carrier = await startHeldCall(edge.sipPort, callerSessionExpires);
    sipps.push(carrier);
    await waitUntil(async () => (await edge!.sample(ANSWERED)) === 1, 'the call to be answered', { timeoutMs: 20_000, intervalMs: 100 });
    return { carrier, core };
  }

  /** The edge BYEs the carrier; the call's stop record (the only one) once nothing is left. */
  async function endedStop(carrier: SippProcess): Promise<CdrRecord> {
    const ended = await carrier.result;
    expect(ended.statistics?.successfulCalls, await describeSippRun('carrier', ended)).toBe(1);
    await waitUntil(async () => (await edge!.sample(ACTIVE)) === 0, 'calls-active back to 0', { timeoutMs: 15_000 });
    await waitUntil(async () => (await edge!.probe.activeCalls()) === 0, 'rtpengine to hold no call', { timeoutMs: 15_000 });
    const stops = edge!.cdrs().filter((record) => record.event === 'stop');
    expect(stops).toHaveLength(1);
    return stops[0]!;
  }

  it('a carrier that never refreshes its session (refresher=uac) is cut off at expiry: session-timer', async () => {
    const { carrier, core } = await callUp({ sessionExpiresSeconds: 3, minSessionExpiresSeconds: 1 }, 3);
    const stop = await endedStop(carrier);
    expect(stop).toMatchObject({ cause: 'session-timer', endedBy: 'edge', q850: 102, resultCode: 200 });
    // The core's leg was kept alive by the SBC's own refreshes (UPDATE with Session-Expires) until then.
    await core.stop();
    expect(readFileSync(core.logs.messages, 'utf8')).toMatch(/UPDATE sip:[\s\S]*?Session-Expires: 3;refresher=uac/);
  });

  it('a core that stops answering fails the SBC\'s session refresh: session-timer, the carrier gets a BYE', async () => {
    const { carrier, core } = await callUp({ sessionExpiresSeconds: 2, minSessionExpiresSeconds: 1 }, 1800);
    process.kill(core.pid, 'SIGKILL');
    const stop = await endedStop(carrier);
    expect(stop).toMatchObject({ cause: 'session-timer', endedBy: 'edge', q850: 102 });
    expect(stop.reason).toMatch(/callee/);
  });

  it('a call that carries no media is ended after rtpengine\'s no-media timeout: media-timeout', async () => {
    const { carrier } = await callUp({ mediaTimeoutSeconds: 2 }, 1800);
    const stop = await endedStop(carrier);
    expect(stop).toMatchObject({ cause: 'media-timeout', endedBy: 'edge', q850: 102 });
  });

  it('a call that reaches the trunk\'s maximum duration is ended: max-duration', async () => {
    const { carrier } = await callUp({ maxCallSeconds: 2 }, 1800);
    const stop = await endedStop(carrier);
    expect(stop).toMatchObject({ cause: 'max-duration', endedBy: 'edge' });
    expect(stop.talkSeconds).toBeGreaterThanOrEqual(2);
  });
});
