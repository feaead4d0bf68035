// Issue 7: a part of the edge killed with SIGKILL while a call is up leaves no ghost call.
// After recovery the SBC counts no call and holds no trunk slot (maxConcurrentCalls is 1,
// so the new call at the end proves the slot came back), rtpengine holds no call, and
// every CDR attempt has a stop with the cause of its end.
import { afterEach, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../edge/sbc/call/cdr-writer.js';
import { describeSippRun, runSipp, type SippProcess } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';
import { waitUntil } from '../support/wait-until.js';
import { startEdgeProcesses, type EdgeProcesses } from './support/edge-processes.js';
import { startCore, startHeldCall } from './support/held-call.js';

const ACTIVE = 'vpop_sbc_calls_active{trunk="loopback-plain"}';
const ANSWERED = 'vpop_sbc_call_answers_total{trunk="loopback-plain",direction="inbound"}';
const ADMITTED = 'vpop_sbc_trunk_admitted_calls{trunk="loopback-plain"}';

describe('the edge after a crash of one of its parts with a call up', () => {
  let edge: EdgeProcesses | undefined;
  const sipps: SippProcess[] = [];
  afterEach(async () => {
    await Promise.all(sipps.splice(0).map((sipp) => sipp.stop()));
    await edge?.stop();
    edge = undefined;
  });

  async function callUp(): Promise<SippProcess> {
    edge = await startEdgeProcesses({ maxConcurrentCalls: 1 });
    sipps.push(await startCore(edge.corePort));
    const carrier = await startHeldCall(edge.sipPort);
    sipps.push(carrier);
    await waitUntil(async () => (await edge!.sample(ANSWERED)) === 1, 'the call to be answered', { timeoutMs: 20_000, intervalMs: 100 });
    await waitUntil(async () => (await edge!.sample(ACTIVE)) === 1, 'the call to be counted active', { timeoutMs: 10_000 });
    return carrier;
  }

  /** No call counted or admitted, none in rtpengine, every attempt stopped; the held call's stop has `cause`; a new call succeeds. */
  async function expectRecovered(cause: CdrRecord['cause']): Promise<CdrRecord> {
    const current = edge!;
    await waitUntil(async () => (await current.sample(ACTIVE)) === 0 && (await current.sample(ADMITTED)) === 0,
      'calls-active and admission back to 0', { timeoutMs: 30_000, intervalMs: 100 });
    await waitUntil(async () => (await current.probe.activeCalls()) === 0, 'rtpengine to hold no call', { timeoutMs: 15_000, intervalMs: 100 });
    const records = current.cdrs();
    const attempts = records.filter((record) => record.event === 'attempt');
    const stops = records.filter((record) => record.event === 'stop');
    expect(attempts).toHaveLength(1);
    expect(stops.map((stop) => stop.callId)).toEqual(attempts.map((attempt) => attempt.callId));
    const stop = stops[0]!;
    expect(stop).toMatchObject({ cause, resultCode: 200, sourceAddress: '127.0.0.4', transport: 'udp', codec: 'PCMU' });
    expect(stop.bLegCallId).toMatch(/.+/);
    expect(stop.bLegCallId).not.toBe(stop.callId);
    const next = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${current.sipPort}`, localAddress: '127.0.0.4', localPort: await freePort(),
      transport: 'u1', calls: 1, durationMs: 200, timeoutSeconds: 15, service: '18005550100',
    });
    expect(next.statistics?.successfulCalls, await describeSippRun('the call after recovery', next)).toBe(1);
    await waitUntil(async () => (await current.sample(ACTIVE)) === 0, 'the new call to end', { timeoutMs: 10_000 });
    return stop;
  }

  it('engine killed: on reconnecting the SBC ends the call (engine-lost), frees its slot and media', async () => {
    await callUp();
    await edge!.kill('engine');
    await edge!.start('engine');
    const stop = await expectRecovered('engine-lost');
    expect(stop).toMatchObject({ endedBy: 'edge', q850: 41 });
  });

  it('SBC killed: the engine BYEs both sides and the next SBC closes the CDR (sbc-restart) and the media', async () => {
    const carrier = await callUp();
    await edge!.kill('sbc');
    // The engine lost its app: it ends the dialogs itself, so the carrier gets a BYE.
    const ended = await carrier.result;
    expect(ended.statistics?.successfulCalls, await describeSippRun('carrier', ended)).toBe(1);
    expect(edge!.cdrs().filter((record) => record.event === 'stop')).toHaveLength(0);
    await edge!.start('sbc');
    const stop = await expectRecovered('sbc-restart');
    expect(stop.talkSeconds).toBeGreaterThanOrEqual(0);
  });

  it('rtpengine killed: once it is back without the call, the SBC ends it (media-lost) with a BYE to both sides', async () => {
    const carrier = await callUp();
    await edge!.kill('rtpengine');
    await edge!.start('rtpengine');
    const ended = await carrier.result;
    expect(ended.statistics?.successfulCalls, await describeSippRun('carrier', ended)).toBe(1);
    const stop = await expectRecovered('media-lost');
    expect(stop).toMatchObject({ endedBy: 'edge' });
  });
});
