// The proxy between real SIP peers: SIPp callers and callees on loopback, the real
// transport and transaction layers, and ProxyService/ProxyCore in between.
// Caller on 127.0.0.2, proxy on 127.0.0.1, callees on 127.0.0.3 / .4 / .5.

import { createSocket, type Socket } from 'node:dgram';
import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port.js';
import { describeSippRun, runSipp, startSipp, type SippProcess, type SippResult } from '../../../test/support/sipp.js';
import type { SipRequest } from '../messages/sip-message.js';
import type { ProxyOptions } from './proxy-options.js';
import { startTestProxy, type RunningProxy } from './testing/proxy-harness.js';
import { SCENARIOS, calleeRejects, callerExpects, writeScenarios } from './testing/proxy-scenarios.js';

let scenarios: Record<string, string>;
const running: { proxy?: RunningProxy; callees: SippProcess[]; sockets: Socket[] } = { callees: [], sockets: [] };

beforeAll(async () => {
  scenarios = await writeScenarios({
    ...SCENARIOS,
    expect486: callerExpects(486),
    expect500: callerExpects(500),
    callee486: calleeRejects('486 Busy Here'),
    callee503: calleeRejects('503 Service Unavailable'),
  });
});

afterAll(async () => {
  const anyScenario = Object.values(scenarios ?? {})[0];
  if (anyScenario) await rm(dirname(anyScenario), { recursive: true, force: true });
});

afterEach(async () => {
  for (const callee of running.callees.splice(0)) await callee.stop();
  for (const socket of running.sockets.splice(0)) socket.close();
  await running.proxy?.stop();
  delete running.proxy;
});

async function callee(address: string, scenario: string, vars: Record<string, string> = {}): Promise<string> {
  const port = await freePort(address);
  running.callees.push(
    await startSipp({ scenario, localAddress: address, localPort: port, transport: 'u1', timeoutSeconds: 30, calls: 1, vars }),
  );
  return `sip:callee@${address}:${port}`;
}

async function proxy(options: Omit<ProxyOptions, 'fullResponse' | 'followRedirects'> & Partial<ProxyOptions>): Promise<RunningProxy> {
  const port = await freePort('127.0.0.1');
  running.proxy = await startTestProxy({
    address: '127.0.0.1', port, transports: ['udp'],
    route: (_request: SipRequest) => ({ fullResponse: true, followRedirects: false, ...options }),
  });
  return running.proxy;
}

async function caller(scenario: string, target: RunningProxy): Promise<SippResult> {
  return runSipp({
    scenario, target: `${target.address}:${target.port}`, localAddress: '127.0.0.2', localPort: await freePort('127.0.0.2'),
    transport: 'u1', calls: 1, timeoutSeconds: 20, service: 'callee',
  });
}

async function expectSuccess(label: string, result: SippResult): Promise<void> {
  expect(result.statistics?.successfulCalls, await describeSippRun(label, result)).toBe(1);
}

async function calleeResults(): Promise<SippResult[]> {
  return Promise.all(running.callees.map((process) => process.result));
}

describe('stateful proxy with SIPp peers over UDP', () => {
  it('serial forking: 486 from the first callee, the second answers; ACK and BYE follow the Record-Route', async () => {
    const busy = await callee('127.0.0.3', scenarios.callee486!);
    const answers = await callee('127.0.0.4', scenarios.calleeAnswers!);
    const p = await proxy({ destinations: [busy, answers], recordRoute: true, forking: 'serial' });
    await expectSuccess('caller', await caller(scenarios.callerCall!, p));
    const [busyResult, answerResult] = await calleeResults();
    await expectSuccess('busy callee', busyResult!);
    await expectSuccess('answering callee (got ACK and BYE through the proxy)', answerResult!);
    expect(p.events.map((e) => `${e.kind}${e.status ?? ''}`)).toEqual(['final486', 'final200', 'done']);
    expect(p.events[0]!.from).toBe(busy.replace('sip:callee@', ''));
    // What the answering callee saw on the wire: our Record-Route, one hop used, our Via on ACK and BYE.
    const wire = await readFile(answerResult!.logs.messages, 'utf8');
    expect(wire).toContain(`Record-Route: <sip:127.0.0.1:${p.port};lr>`);
    expect(wire).toContain('Max-Forwards: 69');
    const metrics = await p.metrics();
    expect(metrics).toContain('vpop_engine_proxy_final_responses_total{class="2xx"} 2'); // INVITE and the routed BYE
    expect(metrics).toContain('vpop_engine_proxy_branch_attempts_total 3');
    expect(metrics).toContain('vpop_engine_proxy_active_requests 0');
    const received = (method: string) => wire.split(/^-{20,}.*$/m).find((block) => block.includes(`\n${method} sip:`)) ?? '';
    for (const method of ['ACK', 'BYE']) {
      expect(received(method), method).toContain(`Via: SIP/2.0/UDP 127.0.0.1:${p.port};branch=z9hG4bK`);
      expect(received(method), method).not.toMatch(/^Route:/m);
    }
  });

  it('simultaneous forking: the first 200 wins and the ringing callee is CANCELled', async () => {
    const ringing = await callee('127.0.0.3', scenarios.calleeRingsUntilCancel!);
    const answers = await callee('127.0.0.4', scenarios.calleeAnswers!);
    const p = await proxy({ destinations: [ringing, answers], recordRoute: true, forking: 'simultaneous' });
    await expectSuccess('caller', await caller(scenarios.callerCall!, p));
    const [ringingResult, answerResult] = await calleeResults();
    await expectSuccess('ringing callee (CANCELled, sent 487)', ringingResult!);
    await expectSuccess('answering callee', answerResult!);
    expect(p.events.filter((e) => e.kind === 'done')).toHaveLength(1);
  });

  it('propagates the caller CANCEL to the callee and relays its 487', async () => {
    const ringing = await callee('127.0.0.3', scenarios.calleeRingsUntilCancel!);
    const p = await proxy({ destinations: [ringing], recordRoute: false, forking: 'serial' });
    await expectSuccess('caller', await caller(scenarios.callerCancels!, p));
    const [ringingResult] = await calleeResults();
    await expectSuccess('callee', ringingResult!);
    expect(p.events.map((e) => `${e.kind}${e.status ?? ''}`)).toEqual(['final487', 'done']);
  });

  it('moves past a silent target after the provisional timeout', async () => {
    const silent = createSocket('udp4');
    running.sockets.push(silent);
    let invitesToSilent = 0;
    silent.on('message', (data) => {
      if (data.toString('utf8').startsWith('INVITE')) invitesToSilent++;
    });
    const silentPort = await freePort('127.0.0.5');
    await new Promise<void>((resolve) => silent.bind(silentPort, '127.0.0.5', resolve));
    const answers = await callee('127.0.0.4', scenarios.calleeAnswers!);
    const p = await proxy({
      destinations: [`sip:callee@127.0.0.5:${silentPort}`, answers], recordRoute: true, forking: 'serial', provisionalTimeoutMs: 1000,
    });
    await expectSuccess('caller', await caller(scenarios.callerCall!, p));
    expect(invitesToSilent).toBeGreaterThanOrEqual(1);
    const [answerResult] = await calleeResults();
    await expectSuccess('answering callee', answerResult!);
  });

  it('relays a 486 when every target fails, and turns a lone 503 into 500', async () => {
    const busy = await callee('127.0.0.3', scenarios.callee486!);
    const down = await callee('127.0.0.4', scenarios.callee503!);
    const p = await proxy({ destinations: [down, busy], recordRoute: false, forking: 'simultaneous' });
    await expectSuccess('caller', await caller(scenarios.expect486!, p));
    for (const result of await calleeResults()) await expectSuccess('callee', result);

    await running.proxy?.stop();
    running.callees.splice(0);
    const onlyDown = await callee('127.0.0.4', scenarios.callee503!);
    const p2 = await proxy({ destinations: [onlyDown], recordRoute: false, forking: 'serial' });
    await expectSuccess('caller expecting 500', await caller(scenarios.expect500!, p2));
  });
});
