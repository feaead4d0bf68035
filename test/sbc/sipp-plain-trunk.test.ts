// SIPp as a plain-RTP carrier (127.0.0.4, UDP) through engine + SBC + rtpengine to a SIPp
// stand-in core: calls bridged, trusted headers handed over, CDRs written, limits applied.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSippRun, runSipp, startSipp, type SippProcess } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';
import { startTestEdge, stopTestEdgeWithNoCallsLeft, type TestEdge } from './support/sbc-harness.js';

/** The SIP messages SIPp logged as received (-trace_msg). */
function receivedMessages(log: string): string[] {
  return log.split(/^-{10,}.*$/m)
    .filter((block) => /message received/.test(block))
    .map((block) => block.replace(/^[\s\S]*?message received[^\n]*\n/, ''));
}

describe('SBC with SIPp on the plain trunk', () => {
  let edge: TestEdge | undefined;
  let core: SippProcess | undefined;
  afterEach(async () => {
    await core?.stop();
    core = undefined;
    await stopTestEdgeWithNoCallsLeft(edge);
    edge = undefined;
  });

  it('bridges calls from 127.0.0.4 to the core with media anchored, and rtpengine returns to 0', async () => {
    edge = await startTestEdge();
    // Before any call every labelled series of the configured trunks is there at 0.
    const before = await edge.registry.metrics();
    for (const trunk of ['loopback-plain', 'loopback-carrier', 'phones']) {
      expect(before).toContain(`vpop_sbc_calls_active{trunk="${trunk}"} 0`);
      expect(before).toContain(`vpop_sbc_call_attempts_total{trunk="${trunk}",direction="inbound"} 0`);
      expect(before).toContain(`vpop_sbc_call_setup_seconds_count{trunk="${trunk}",direction="outbound"} 0`);
      expect(before).toContain(`vpop_sbc_call_endings_total{trunk="${trunk}",direction="inbound",cause="media-timeout"} 0`);
    }
    expect(before).toContain('vpop_sbc_trunk_capacity_calls{trunk="loopback-plain"} 500');
    expect(before).toContain('vpop_sbc_trunk_admitted_calls{trunk="loopback-carrier"} 0');
    core = await startSipp({ scenario: 'uas', localAddress: '127.0.0.1', localPort: edge.corePort, transport: 'u1', timeoutSeconds: 60 });
    const result = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${edge.sipPort}`, localAddress: '127.0.0.4', localPort: await freePort(),
      transport: 'u1', calls: 5, rate: 10, durationMs: 300, timeoutSeconds: 20, service: '18005550100',
    });
    expect(result.statistics?.successfulCalls, await describeSippRun('sipp uac', result)).toBe(5);
    await expect.poll(() => edge!.probe.activeCalls()).toBe(0);
    const metrics = await edge.registry.metrics();
    expect(metrics).toContain('vpop_sbc_call_answers_total{trunk="loopback-plain",direction="inbound"} 5');
    expect(metrics).toContain('vpop_sbc_calls_active{trunk="loopback-plain"} 0');
    expect(metrics).toContain('vpop_sbc_call_attempts_total{trunk="loopback-plain",direction="inbound"} 5');
    expect(metrics).toContain('vpop_sbc_rtpengine_reachable 1');
    expect(metrics).toContain('vpop_sbc_rtpengine_sessions 0');
    expect(metrics).toContain('vpop_sbc_call_setup_seconds_count{trunk="loopback-plain",direction="inbound"} 5');
    expect(metrics).toContain('vpop_sbc_call_duration_seconds_count{trunk="loopback-plain",direction="inbound"} 5');
    expect(metrics).toContain('vpop_sbc_call_endings_total{trunk="loopback-plain",direction="inbound",cause="normal-clearing"} 5');
    expect(metrics).toContain('vpop_sbc_trunk_admitted_calls{trunk="loopback-plain"} 0');
    await expect.poll(() => readFileSync(edge!.cdrFile, 'utf8').trim().split('\n').length).toBe(15);
    const records = readFileSync(edge.cdrFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.filter((r) => r.event === 'stop').every((r) => r.resultCode === 200 && r.trunk === 'loopback-plain' &&
      r.cause === 'normal-clearing' && r.endedBy === 'caller' && r.codec === 'PCMU' && r.transport === 'udp')).toBe(true);
    expect(records[0]).toMatchObject({ dialledNumber: '18005550100', pop: 'sbc-test' });
  });

  it('hides the inside: no message the carrier receives names the core, its headers or its SDP', async () => {
    edge = await startTestEdge();
    core = await startSipp({ scenario: 'uas', localAddress: '127.0.0.1', localPort: edge.corePort, transport: 'u1', timeoutSeconds: 60 });
    const result = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${edge.sipPort}`, localAddress: '127.0.0.4', localPort: await freePort(),
      transport: 'u1', calls: 2, rate: 10, durationMs: 200, timeoutSeconds: 20, service: '18005550100',
    });
    expect(result.statistics?.successfulCalls, await describeSippRun('sipp uac', result)).toBe(2);
    const coreLog = await core.stop();
    const coreSaw = readFileSync(coreLog.logs.messages, 'utf8');
    // The core did get the trusted headers and the inside SDP (the comparison is meaningful).
    expect(coreSaw).toContain('X-VPOP-Trunk: loopback-plain');
    const coreSdpPorts = [...coreSaw.matchAll(/^m=audio (\d+)/gm)].map((match) => match[1]!);
    core = undefined;

    const received = receivedMessages(readFileSync(result.logs.messages, 'utf8'));
    expect(received.length).toBeGreaterThanOrEqual(8);
    for (const message of received) {
      expect(message).not.toContain(`:${edge.corePort}`);
      expect(message).not.toMatch(/X-VPOP/i);
      expect(message).not.toMatch(/^o=user1/m);
      for (const port of coreSdpPorts) expect(message).not.toMatch(new RegExp(`^m=audio ${port} `, 'm'));
      const mediaPort = /^m=audio (\d+)/m.exec(message)?.[1];
      if (mediaPort !== undefined) {
        expect(Number(mediaPort)).toBeGreaterThanOrEqual(edge.rtpengine.portMin);
        expect(Number(mediaPort)).toBeLessThanOrEqual(edge.rtpengine.portMax);
      }
      for (const contact of message.match(/^(Contact|Record-Route|Via):.*$/gim) ?? []) {
        expect(contact).toMatch(new RegExp(`127\\.0\\.0\\.(1:${edge.sipPort}|4)\\b`));
      }
    }
  });
});
