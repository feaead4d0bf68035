// drachtio-srf's proxy verb (req.proxy / srf.proxyRequest) through the engine's stateful proxy.
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { activeTransactions, LINGER_TIMERS, startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp } from './srf-app.js';
import { describeSippRun, runSipp, startSipp, type SippProcess } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';
import { DIALLED_NUMBER, SIPP_FLOWS } from '../sipp-scenarios/flows.js';

// A caller that takes its in-dialog Route from Record-Route (SIPp's built-in uac does not);
// the callee echoes Record-Route (neither SIPp's built-in uas nor the B2BUA flows do).
const RECORD_ROUTE_UAS = fileURLToPath(new URL('./scenarios/uas-record-route.xml', import.meta.url));
const BASIC = SIPP_FLOWS.find((flow) => flow.name === 'basic-call')!;

interface ProxyResult {
  connected: boolean;
  finalStatus: number;
}

interface ProxiableRequest {
  proxy(opts: Record<string, unknown>): Promise<ProxyResult>;
}

describe('proxy app behind the engine', () => {
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

  it.each(['u1', 't1'] as const)('proxies calls over %s with Record-Route, reporting the final response to the app', async (transport) => {
    running = await startTestEngine({ timers: LINGER_TIMERS });
    const calleePort = await freePort();
    callee = await startSipp({ scenario: RECORD_ROUTE_UAS, localAddress: '127.0.0.1', localPort: calleePort, transport, timeoutSeconds: 60 });
    const app = newSrf();
    srf = app;
    const results: ProxyResult[] = [];
    const protocol = transport === 'u1' ? 'udp' : 'tcp';
    app.invite(((req: ProxiableRequest) => {
      req.proxy({ destination: `sip:bob@127.0.0.1:${calleePort};transport=${protocol}`, remainInDialog: true })
        .then((result) => results.push(result), () => undefined);
    }) as never);
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);

    const result = await runSipp({
      scenario: BASIC.uac, target: `127.0.0.1:${running.sipPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport, calls: 5, rate: 10, timeoutSeconds: 20, service: DIALLED_NUMBER,
    });
    expect(result.statistics?.successfulCalls, await describeSippRun('sipp uac', result)).toBe(5);
    await expect.poll(() => results.length).toBe(5);
    expect(results.every((r) => r.connected && r.finalStatus === 200)).toBe(true);
    expect(running.engine.ua.dialogs.size).toBe(0);
    expect(running.engine.ua.pendingServerRequests).toBe(0);
    await expect.poll(() => activeTransactions(running!), { timeout: 5000 }).toBe(0);
  });
});
