// OPTIONS and CANCEL handled by drachtio-srf apps through the engine, with SIPp callers.
import { afterEach, describe, expect, it } from 'vitest';
import { activeTransactions, LINGER_TIMERS, startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp } from './srf-app.js';
import { describeSippRun, runSipp } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';
import { SIPP_FLOWS, DIALLED_NUMBER } from '../sipp-scenarios/flows.js';


function flowFile(name: string): string {
  const flow = SIPP_FLOWS.find((candidate) => candidate.name === name);
  if (!flow) throw new Error(`no SIPp flow ${name}`);
  return flow.uac;
}

interface CancellableRequest {
  on(event: 'cancel', listener: () => void): void;
}

describe('OPTIONS and CANCEL through the engine', () => {
  let running: RunningEngine | undefined;
  let srf: SrfApp | undefined;
  afterEach(async () => {
    srf?.disconnect();
    srf = undefined;
    await running?.stop();
    running = undefined;
  });

  async function caller(name: string, calls: number) {
    return runSipp({
      scenario: flowFile(name), target: `127.0.0.1:${running!.sipPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls, rate: 20, timeoutSeconds: 20, service: DIALLED_NUMBER,
    });
  }

  it('reports public and locally bound hostports on authentication (--external-ip)', async () => {
    const { AllowList } = await import('../../edge/engine/allow-list/allow-list.js');
    const sipPort = await freePort();
    const allowList = new AllowList(['127.0.0.0/8']);
    running = await startTestEngine({
      listeners: [{ name: 'udp', transport: 'udp', address: '127.0.0.1', port: sipPort, allowList, publicAddress: '127.0.0.9' }],
    });
    const { connect } = await import('node:net');
    const { ControlFrameReader, encodeFrame } = await import('../../edge/engine/control/control-frame.js');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(running!.controlPort, '127.0.0.1');
      const reader = new ControlFrameReader();
      socket.on('data', (chunk) => {
        const [first] = reader.push(chunk);
        if (first !== undefined) { socket.destroy(); resolve(first); }
      });
      socket.on('error', reject);
      socket.write(encodeFrame(`a1|authenticate|${TEST_SECRET}|`));
    });
    const tokens = answer.split('|');
    expect(tokens.slice(2, 4)).toEqual(['a1', 'OK']);
    expect(tokens[4]).toBe(`udp/127.0.0.9:${sipPort}`);
    expect(tokens[5]).toMatch(/^v\d+\.\d+\.\d+/);
    expect(tokens[6]).toBe(`udp/127.0.0.1:${sipPort}`);
  });

  it('lets an app answer OPTIONS', async () => {
    running = await startTestEngine({ timers: LINGER_TIMERS });
    const app = newSrf();
    srf = app;
    let seen = 0;
    app.options(((_req: unknown, res: { send(status: number): void }) => {
      seen++;
      res.send(200);
    }) as never);
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('options').length).toBe(1);
    const result = await caller('options', 3);
    expect(result.statistics?.successfulCalls, await describeSippRun('options', result)).toBe(3);
    expect(seen).toBe(3);
  });

  it('hands an app an OPTIONS with CSeq 4294967295 and a URI parameter with an empty value (issue 7: both got 400)', async () => {
    running = await startTestEngine({ timers: LINGER_TIMERS });
    const app = newSrf();
    srf = app;
    const seenUris: string[] = [];
    app.options(((req: { uri: string }, res: { send(status: number): void }) => {
      seenUris.push(req.uri);
      res.send(200);
    }) as never);
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('options').length).toBe(1);
    const { RawSipPeer, isResponse } = await import('./raw-sip-peer.js');
    const peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    try {
      const uri = `sip:${DIALLED_NUMBER}@127.0.0.1:${running.sipPort};unknownparam=`;
      peer.send([
        `OPTIONS ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKcseqmax;rport`,
        'Max-Forwards: 70',
        `From: <sip:monitor@127.0.0.1:${peer.port};unknownparam=>;tag=m1`,
        `To: <${uri}>`,
        'Call-ID: cseq-max-1',
        'CSeq: 4294967295 OPTIONS',
      ]);
      const ok = await peer.waitFor(isResponse(200, 'OPTIONS'));
      expect(ok.headers.get('CSeq')).toBe('4294967295 OPTIONS');
      expect(seenUris).toEqual([uri]);
    } finally {
      peer.close();
    }
  });

  it('answers 503 to a request no app routed', async () => {
    running = await startTestEngine({ timers: LINGER_TIMERS });
    const result = await caller('options', 1);
    expect(result.statistics?.failedCalls).toBe(1);
    expect(result.statistics?.failuresByCause).toMatchObject({ FailedUnexpectedMessage: 1 });
    const metrics = await running.engine.registry.getSingleMetricAsString('vpop_engine_sip_messages_total');
    expect(metrics).toContain('vpop_engine_sip_messages_total{direction="out",method="OPTIONS",status="503"} 1');
  });

  it('answers a CANCEL before the app answers: 200 to CANCEL, 487 to INVITE, and the app sees the cancel', async () => {
    running = await startTestEngine({ timers: LINGER_TIMERS });
    const app = newSrf();
    srf = app;
    let cancelled = 0;
    app.invite(((req: CancellableRequest, res: { send(status: number): void }) => {
      res.send(180);
      req.on('cancel', () => { cancelled++; });
    }) as never);
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);
    const result = await caller('cancel', 3);
    expect(result.statistics?.successfulCalls, await describeSippRun('cancel', result)).toBe(3);
    await expect.poll(() => cancelled).toBe(3);
    expect(running.engine.ua.dialogs.size).toBe(0);
    expect(running.engine.ua.pendingServerRequests).toBe(0);
    await expect.poll(() => activeTransactions(running!), { timeout: 5000 }).toBe(0);
  });
});
