// drachtio-srf UAC and B2BUA apps through the engine, with SIPp as the network peers.
import { afterEach, describe, expect, it } from 'vitest';
import { activeTransactions, startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp, type SrfDialog } from './srf-app.js';
import { TEST_SDP } from './sdp.js';
import { describeSippRun, runSipp, startSipp, type SippProcess } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';

interface IncomingInvite {
  body: string;
  calledNumber: string;
}

describe('UAC and B2BUA apps behind the engine', () => {
  let running: RunningEngine | undefined;
  let srf: SrfApp | undefined;
  let callee: SippProcess | undefined;
  afterEach(async () => {
    srf?.disconnect();
    srf = undefined;
    await callee?.stop();
    callee = undefined;
    await running?.stop();
    running = undefined;
  });

  async function startCallee(transport: 'u1' | 't1'): Promise<number> {
    const port = await freePort();
    callee = await startSipp({ scenario: 'uas', localAddress: '127.0.0.1', localPort: port, transport, timeoutSeconds: 60 });
    return port;
  }

  it('places a call with createUAC to sipp -sn uas and hangs up', async () => {
    running = await startTestEngine();
    const calleePort = await startCallee('u1');
    const app = newSrf();
    srf = app;
    await connectSrf(app, running.controlPort, TEST_SECRET);
    const dialog: SrfDialog = await app.createUAC(`sip:bob@127.0.0.1:${calleePort}`, { localSdp: TEST_SDP });
    expect(dialog.remote.sdp).toContain('m=audio');
    expect(dialog.id).toMatch(/;from-tag=/);
    expect(running.engine.ua.dialogs.size).toBe(1);
    await dialog.destroy();
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
    expect(running.engine.ua.pendingClientRequests).toBe(0);
  });

  it.each(['u1', 't1'] as const)('bridges 100 calls with createB2BUA over %s with no failures, and state returns to 0', async (transport) => {
    // Short RFC 6026 wait timers so the transaction count can be checked within the test.
    running = await startTestEngine({ timers: { timerD: 500, timerI: 500, timerJ: 500, timerK: 500, timerL: 500, timerM: 500 } });
    const calleePort = await startCallee(transport);
    const app = newSrf();
    srf = app;
    let bridged = 0;
    app.invite(((req: IncomingInvite, res: unknown) => {
      app.createB2BUA(req, res, `sip:${req.calledNumber || 'service'}@127.0.0.1:${calleePort};transport=${transport === 'u1' ? 'udp' : 'tcp'}`, { localSdpB: req.body })
        .then(({ uas, uac }) => {
          bridged++;
          uas.on('destroy', () => void uac.destroy());
          uac.on('destroy', () => void uas.destroy());
        }, () => undefined);
    }) as never);
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);

    const result = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${running.sipPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport, calls: 100, rate: 50, durationMs: 200, timeoutSeconds: 30,
    });
    expect(result.statistics?.successfulCalls, await describeSippRun('sipp uac', result)).toBe(100);
    expect(result.statistics?.failedCalls).toBe(0);
    expect(bridged).toBe(100);
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
    expect(running.engine.ua.pendingServerRequests).toBe(0);
    expect(running.engine.ua.pendingClientRequests).toBe(0);
    await expect.poll(() => activeTransactions(running!), { timeout: 5000 }).toBe(0);
  });
});
