// A drachtio-srf UAS app answering SIPp's built-in UAC through the engine.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp } from './srf-app.js';
import { describeSippRun, runSipp } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';

import { TEST_SDP as SDP } from './sdp.js';

describe('UAS app behind the engine', () => {
  let running: RunningEngine | undefined;
  let srf: SrfApp | undefined;
  afterEach(async () => {
    srf?.disconnect();
    srf = undefined;
    await running?.stop();
    running = undefined;
  });

  it.each(['u1', 't1'] as const)('answers calls from sipp -sn uac over %s, and dialogs return to 0', async (transport) => {
    running = await startTestEngine();
    const app = newSrf();
    srf = app;
    let answered = 0;
    let hungUp = 0;
    app.invite(((req: unknown, res: unknown) => {
      app.createUAS(req, res, { localSdp: SDP }).then((dialog) => {
        answered++;
        dialog.on('destroy', () => { hungUp++; });
      }, () => undefined);
    }) as never);
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);

    const result = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${running.sipPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport, calls: 5, rate: 10, durationMs: 100, timeoutSeconds: 20,
    });
    expect(result.statistics?.successfulCalls, await describeSippRun('sipp uac', result)).toBe(5);
    expect(result.statistics?.failedCalls).toBe(0);
    expect(answered).toBe(5);
    await expect.poll(() => hungUp).toBe(5);
    expect(running.engine.ua.dialogs.size).toBe(0);
    await expect.poll(() => running!.engine.ua.pendingServerRequests).toBe(0);
  });
});
