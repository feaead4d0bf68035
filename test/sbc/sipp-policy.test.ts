// The policy route through the real engine with SIPp carriers: strangers get nothing,
// an SRTP-required trunk refuses plain RTP with 488, codecs outside the trunk's list
// give 488, the concurrent-call limit gives 503 with Retry-After, a scanner gets silence
// (the engine discards it before its transaction layer).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { CdrRecord } from '../../edge/sbc/call/cdr-writer.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeSippRun, runSipp, startSipp, type SippProcess } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';
import { startTestEdge, stopTestEdgeWithNoCallsLeft, type TestEdge, type TestEdgeOptions } from './support/sbc-harness.js';
import { RawSipPeer } from '../engine/raw-sip-peer.js';
import { writeRejectedInviteScenario, type RejectedInviteOptions } from './support/rejected-invite-scenario.js';

const scenarioDir = mkdtempSync(join(tmpdir(), 'vpop-sbc-scenarios-'));
afterAll(() => rmSync(scenarioDir, { recursive: true, force: true }));

describe('SBC policy with SIPp carriers', () => {
  let edge: TestEdge | undefined;
  let sipps: SippProcess[] = [];
  afterEach(async () => {
    for (const sipp of sipps) await sipp.stop();
    sipps = [];
    await stopTestEdgeWithNoCallsLeft(edge);
    edge = undefined;
  });

  async function start(options: TestEdgeOptions = {}): Promise<TestEdge> {
    edge = await startTestEdge(options);
    sipps.push(await startSipp({ scenario: 'uas', localAddress: '127.0.0.1', localPort: edge.corePort, transport: 'u1', timeoutSeconds: 60 }));
    return edge;
  }

  function cdrs(): CdrRecord[] {
    return existsSync(edge!.cdrFile)
      ? readFileSync(edge!.cdrFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as CdrRecord)
      : [];
  }

  async function expectStatus(from: string, scenario: Omit<RejectedInviteOptions, 'dir'>): Promise<void> {
    const file = await writeRejectedInviteScenario({ ...scenario, dir: scenarioDir });
    const result = await runSipp({
      scenario: file, target: `127.0.0.1:${edge!.sipPort}`, localAddress: from, localPort: await freePort(),
      transport: 'u1', calls: 1, timeoutSeconds: 10, service: '18005550100',
    });
    expect(result.statistics?.successfulCalls, await describeSippRun(`expect ${scenario.status}`, result)).toBe(1);
  }

  it('sends nothing to a source that is not allow-listed (127.0.0.3)', async () => {
    await start();
    const result = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${edge!.sipPort}`, localAddress: '127.0.0.3', localPort: await freePort(),
      transport: 'u1', calls: 1, timeoutSeconds: 3, service: '18005550100',
    });
    expect(result.statistics?.successfulCalls ?? 0).toBe(0);
    expect(result.statistics?.retransmissions ?? 0).toBeGreaterThan(0);
    // Series exist from the start at 0 (initialised per trunk); none moved.
    expect(await edge!.registry.metrics()).not.toMatch(/vpop_sbc_call_attempts_total\{.*\} [1-9]/);
  });

  it('answers a plain-RTP offer on an SRTP-required trunk with 488, before any media is anchored', async () => {
    await start({ trunks: { 'loopback-plain': { srtp: 'required' } } });
    await expectStatus('127.0.0.4', { status: 488 });
    expect(await edge!.registry.metrics()).toContain('vpop_sbc_policy_rejections_total{step="require-srtp",outcome="488"} 1');
  });

  it('answers an offer with no codec of the trunk with 488', async () => {
    await start({ trunks: { 'loopback-plain': { codecs: ['PCMA', 'telephone-event'] } } });
    await expectStatus('127.0.0.4', { status: 488, payloadTypes: '0 18 101' });
    expect(await edge!.registry.metrics()).toContain('vpop_sbc_policy_rejections_total{step="codec-policy",outcome="488"} 1');
    // A refused call is on record too: an attempt and a stop with the status, reason and source.
    const records = cdrs();
    expect(records.map((record) => record.event)).toEqual(['attempt', 'stop']);
    expect(records[1]).toMatchObject({
      trunk: 'loopback-plain', direction: 'inbound', sourceAddress: '127.0.0.4', transport: 'udp',
      resultCode: 488, cause: 'refused', q850: 21, dialledNumber: '18005550100',
    });
    expect(records[1]!.reason).toMatch(/.+/);
  });

  it('answers a carrier\'s offerless INVITE with 488 (late offer is not anchored)', async () => {
    await start();
    await expectStatus('127.0.0.4', { status: 488, noOffer: true });
    expect(await edge!.registry.metrics()).toContain('vpop_sbc_policy_rejections_total{step="codec-policy",outcome="488"} 1');
  });

  it('drops a transport the trunk does not allow at the socket (a listener admits only the trunks of its transport)', async () => {
    await start({ trunks: { 'loopback-plain': { transports: ['tcp'] } } });
    const drops = async (): Promise<string> => (await edge!.engine.registry.metrics()).split('\n')
      .find((line) => line.startsWith('vpop_engine_allowlist_drops_total{listener="udp"')) ?? '';
    const result = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${edge!.sipPort}`, localAddress: '127.0.0.4', localPort: await freePort(),
      transport: 'u1', calls: 1, timeoutSeconds: 3, service: '18005550100',
    });
    expect(result.statistics?.successfulCalls ?? 0).toBe(0);
    expect(await drops()).toMatch(/ [1-9]\d*$/);
    expect(await edge!.registry.metrics()).not.toMatch(/vpop_sbc_call_attempts_total\{.*\} [1-9]/);
  });

  it('gives 503 with Retry-After at the concurrent-call limit + 1, and admits again once a call ends', async () => {
    await start({ trunks: { 'loopback-plain': { maxConcurrentCalls: 2 } } });
    const held = await startSipp({
      scenario: 'uac', target: `127.0.0.1:${edge!.sipPort}`, localAddress: '127.0.0.4', localPort: await freePort(),
      transport: 'u1', calls: 2, rate: 10, durationMs: 4000, timeoutSeconds: 20, service: '18005550100',
    });
    sipps.push(held);
    await expect.poll(async () => edge!.registry.metrics(), { timeout: 5000 }).toContain('vpop_sbc_calls_active{trunk="loopback-plain"} 2');
    await expectStatus('127.0.0.4', { status: 503, requireHeader: 'Retry-After' });
    expect(cdrs().filter((record) => record.resultCode === 503)).toMatchObject([{ event: 'stop', cause: 'refused', reason: 'Trunk Call Limit Reached' }]);
    const first = await held.result;
    expect(first.statistics?.successfulCalls, await describeSippRun('held calls', first)).toBe(2);
    const after = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${edge!.sipPort}`, localAddress: '127.0.0.4', localPort: await freePort(),
      transport: 'u1', calls: 1, durationMs: 100, timeoutSeconds: 10, service: '18005550100',
    });
    expect(after.statistics?.successfulCalls).toBe(1);
  });

  it('gives a scanner User-Agent from an allow-listed address nothing at all (the engine discards it)', async () => {
    await start();
    const carrier = await RawSipPeer.open({ address: '127.0.0.1', port: edge!.sipPort }, '127.0.0.4');
    try {
      const request = (method: string, callId: string, userAgent: string): string[] => [
        `${method} sip:18005550100@127.0.0.1:${edge!.sipPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.4:${carrier.port};branch=z9hG4bK-${callId};rport`,
        'Max-Forwards: 70', `From: <sip:100@127.0.0.4>;tag=${callId}`, 'To: <sip:18005550100@127.0.0.1>',
        `Call-ID: ${callId}`, `CSeq: 1 ${method}`, `Contact: <sip:100@127.0.0.4:${carrier.port}>`, `User-Agent: ${userAgent}`,
      ];
      carrier.send(request('INVITE', 'scan-invite', 'friendly-scanner'));
      carrier.send(request('OPTIONS', 'scan-options', 'sipvicious 0.3.4'));
      // The same source with an ordinary User-Agent is answered, so the silence is the discard.
      carrier.send(request('OPTIONS', 'plain-options', 'SIPp/Linux'));
      await carrier.waitFor((message) => message.kind === 'response' && message.headers.get('Call-ID') === 'plain-options');
      // Past Timer A's first retransmission interval and the 100 Trying an INVITE would get.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const forScanner = carrier.received.filter((message) => message.headers.get('Call-ID')?.startsWith('scan-'));
      expect(forScanner.map((message) => message.kind === 'response' ? message.status : message.method)).toEqual([]);
    } finally {
      carrier.close();
    }
    expect(await edge!.engine.registry.metrics()).toContain('vpop_engine_discarded_requests_total{reason="scanner-user-agent"} 2');
    const metrics = await edge!.registry.metrics();
    expect(metrics).not.toMatch(/vpop_sbc_call_attempts_total\{.*\} [1-9]/);
    expect(metrics).toContain('vpop_sbc_policy_rejections_total{step="block-scanners",outcome="403"} 0');
  });
});
