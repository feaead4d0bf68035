// RFC 3263 failover through the proxy with real peers: the target is a domain
// whose SRV records (served by dnsmasq on loopback) list a dead TCP server first
// and a SIPp callee second. The refused connection moves the branch to the next
// server; caller, proxy and callee all talk TCP.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { freePort } from '../../../test/support/free-port.js';
import { describeSippRun, runSipp, startSipp, type SippProcess } from '../../../test/support/sipp.js';
import { startDnsmasq, type RunningDnsmasq } from '../dns/test-support/dnsmasq.js';
import { startTestProxy, type RunningProxy } from './testing/proxy-harness.js';
import { SCENARIOS, writeScenarios } from './testing/proxy-scenarios.js';

describe('proxy to a DNS-located target over TCP', () => {
  let dns: RunningDnsmasq | undefined;
  let callee: SippProcess | undefined;
  let proxy: RunningProxy | undefined;
  let scenarios: Record<string, string>;
  let livePort = 0;
  let deadPort = 0;

  beforeAll(async () => {
    scenarios = await writeScenarios({ calleeAnswers: SCENARIOS.calleeAnswers, callerCall: SCENARIOS.callerCall });
    livePort = await freePort('127.0.0.3');
    deadPort = await freePort('127.0.0.6');
    dns = await startDnsmasq({
      domain: 'carrier.test',
      probeName: 'live.carrier.test',
      srv: [
        `_sip._tcp.carrier.test,dead.carrier.test,${deadPort},10,0`,
        `_sip._tcp.carrier.test,live.carrier.test,${livePort},20,0`,
      ],
      hosts: ['dead.carrier.test,127.0.0.6,300', 'live.carrier.test,127.0.0.3,300'],
    });
    callee = await startSipp({
      scenario: scenarios.calleeAnswers!, localAddress: '127.0.0.3', localPort: livePort, transport: 't1', timeoutSeconds: 30, calls: 1,
    });
    proxy = await startTestProxy({
      address: '127.0.0.1', port: await freePort('127.0.0.1'), transports: ['udp', 'tcp'], dnsServers: [dns.server],
      route: () => ({
        destinations: ['sip:callee@carrier.test;transport=tcp'], recordRoute: true, fullResponse: true,
        followRedirects: false, forking: 'serial',
      }),
    });
  });

  afterAll(async () => {
    await callee?.stop();
    await proxy?.stop();
    await dns?.stop();
    const anyScenario = Object.values(scenarios ?? {})[0];
    if (anyScenario) await rm(dirname(anyScenario), { recursive: true, force: true });
  });

  it('skips the refused SRV target and completes the call with the next one', async () => {
    const result = await runSipp({
      scenario: scenarios.callerCall!, target: `127.0.0.1:${proxy!.port}`, localAddress: '127.0.0.2',
      localPort: await freePort('127.0.0.2'), transport: 't1', calls: 1, timeoutSeconds: 20, service: 'callee',
    });
    expect(result.statistics?.successfulCalls, await describeSippRun('caller', result)).toBe(1);
    const calleeResult = await callee!.result;
    expect(calleeResult.statistics?.successfulCalls, await describeSippRun('callee', calleeResult)).toBe(1);
    expect(proxy!.events).toEqual([
      { kind: 'final', status: 200, from: `127.0.0.3:${livePort}` },
      { kind: 'done' },
    ]);
  });
});
