// Outbound legs through a carrier trunk: the SBC pings each gateway with OPTIONS, marks a
// dead one down and routes the core's call to the one that answers (a SIPp carrier on
// 127.0.0.4), with media anchored; rtpengine back to 0. Gateways of equal priority share
// calls by weight, and a gateway that refuses a call (503) passes it to the next.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSippRun, runSipp, startSipp, type SippProcess } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';
import { startTestEdge, stopTestEdgeWithNoCallsLeft, type TestEdge } from './support/sbc-harness.js';

describe('outbound legs through a trunk gateway', () => {
  let edge: TestEdge | undefined;
  let carrier: SippProcess | undefined;
  const gateways: SippProcess[] = [];
  afterEach(async () => {
    await carrier?.stop();
    carrier = undefined;
    for (const gateway of gateways.splice(0)) await gateway.stop();
    await stopTestEdgeWithNoCallsLeft(edge);
    edge = undefined;
  });

  it('marks the silent gateway down, the answering one up, and sends the core\'s call to the one that is up', async () => {
    const livePort = await freePort('127.0.0.4');
    const deadPort = await freePort('127.0.0.4');
    const live = `sip:127.0.0.4:${livePort}`;
    const dead = `sip:127.0.0.4:${deadPort}`;
    // -aa: SIPp answers the OPTIONS pings 200.
    carrier = await startSipp({ scenario: 'uas', localAddress: '127.0.0.4', localPort: livePort, transport: 'u1', timeoutSeconds: 60, extraArgs: ['-aa'] });
    edge = await startTestEdge({
      gatewayPingIntervalMs: 60_000,
      trunks: { 'loopback-plain': {
        gateways: [{ uri: dead, priority: 1, weight: 1 }, { uri: live, priority: 2, weight: 1 }],
        outbound: { numberPrefixes: ['+1'] },
      } },
    });
    await edge.sbc.gateways.pingAll();
    expect(edge.sbc.gateways.isUp('loopback-plain', live)).toBe(true);
    expect(edge.sbc.gateways.isUp('loopback-plain', dead)).toBe(false);
    const metrics = await edge.registry.metrics();
    expect(metrics).toContain(`vpop_sbc_gateway_up{trunk="loopback-plain",gateway="${live}"} 1`);
    expect(metrics).toContain(`vpop_sbc_gateway_up{trunk="loopback-plain",gateway="${dead}"} 0`);

    const core = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${edge.coreListenerPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls: 2, rate: 5, durationMs: 200, timeoutSeconds: 20, service: '+15550001111',
    });
    expect(core.statistics?.successfulCalls, await describeSippRun('core uac', core)).toBe(2);
    expect(await edge.registry.metrics()).toContain('vpop_sbc_call_answers_total{trunk="loopback-plain",direction="outbound"} 2');
  });

  it('refuses the core\'s call with 503 when no gateway of the trunk is up, and 404 for an unserved number', async () => {
    const deadPort = await freePort('127.0.0.4');
    edge = await startTestEdge({
      gatewayPingIntervalMs: 60_000,
      trunks: { 'loopback-plain': { gateways: [{ uri: `sip:127.0.0.4:${deadPort}`, priority: 1, weight: 1 }], outbound: { numberPrefixes: ['+1'] } } },
    });
    await edge.sbc.gateways.pingAll();
    const core = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${edge.coreListenerPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls: 1, timeoutSeconds: 10, service: '+15550001111',
    });
    expect(core.statistics?.failedCalls).toBe(1);
    const text = await edge.registry.metrics();
    expect(text).toContain('vpop_sbc_policy_rejections_total{step="route-from-core",outcome="503"} 1');
    const unserved = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${edge.coreListenerPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls: 1, timeoutSeconds: 10, service: '+4420',
    });
    expect(unserved.statistics?.failedCalls).toBe(1);
    expect(await edge.registry.metrics()).toContain('vpop_sbc_policy_rejections_total{step="route-from-core",outcome="404"} 1');
  });

  async function gateway(scenario: string): Promise<{ uri: string; invites: () => Promise<number> }> {
    const port = await freePort('127.0.0.4');
    const sipp = await startSipp({ scenario, localAddress: '127.0.0.4', localPort: port, transport: 'u1', timeoutSeconds: 60, extraArgs: ['-aa'], traceMessages: true });
    gateways.push(sipp);
    return {
      uri: `sip:127.0.0.4:${port}`,
      invites: async () => ((await readFile(sipp.logs.messages, 'utf8').catch(() => '')).match(/^\s*INVITE sip:/gm) ?? []).length,
    };
  }

  async function coreCalls(calls: number): Promise<number> {
    const core = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${edge!.coreListenerPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls, rate: 10, rateLimit: 1, durationMs: 50, timeoutSeconds: 30, service: '+15550001111',
    });
    expect(core.statistics?.successfulCalls, await describeSippRun('core uac', core)).toBe(calls);
    return calls;
  }

  it('shares calls 1:3 between gateways of equal priority by weight', async () => {
    const light = await gateway('uas');
    const heavy = await gateway('uas');
    edge = await startTestEdge({
      gatewayPingIntervalMs: 60_000,
      trunks: { 'loopback-plain': { gateways: [{ uri: light.uri, priority: 1, weight: 1 }, { uri: heavy.uri, priority: 1, weight: 3 }], outbound: { numberPrefixes: ['+1'] } } },
    });
    await edge.sbc.gateways.pingAll();
    await coreCalls(8);
    expect([await light.invites(), await heavy.invites()]).toEqual([2, 6]);
  });

  it('passes a call a gateway refuses with 503 to the next gateway', async () => {
    const busy = await gateway(fileURLToPath(new URL('./scenarios/busy-gateway.uas.xml', import.meta.url)));
    const backup = await gateway('uas');
    edge = await startTestEdge({
      gatewayPingIntervalMs: 60_000,
      trunks: { 'loopback-plain': { gateways: [{ uri: busy.uri, priority: 1, weight: 1 }, { uri: backup.uri, priority: 2, weight: 1 }], outbound: { numberPrefixes: ['+1'] } } },
    });
    await edge.sbc.gateways.pingAll();
    expect(edge.sbc.gateways.isUp('loopback-plain', busy.uri)).toBe(true);
    await coreCalls(2);
    expect([await busy.invites(), await backup.invites()]).toEqual([2, 2]);
    expect(await edge.registry.metrics()).toContain('vpop_sbc_call_answers_total{trunk="loopback-plain",direction="outbound"} 2');
  });
});
