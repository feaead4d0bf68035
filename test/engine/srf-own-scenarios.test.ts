// drachtio-srf's own test suite, retargeted at our engine: the SIPp scenarios it ships
// (node_modules/drachtio-srf/test/scenarios, written against the C++ drachtio-server)
// run with the same app behaviour as its test/scripts/uas.js and b2b.js. Its docker
// and `config` plumbing are replaced by local SIPp on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LINGER_TIMERS, startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp, type SrfDialog } from './srf-app.js';
import { describeSippRun, runSipp, startSipp, type SippProcess } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';

const SRF_SCENARIOS = join(dirname(createRequire(import.meta.url).resolve('drachtio-srf')), '..', 'test', 'scenarios');
const scenario = (name: string): string => join(SRF_SCENARIOS, name);

interface SrfRequest {
  body: string;
  get(name: string): string;
  on(event: string, listener: () => void): void;
}
interface SrfResponse {
  send(status: number, opts?: Record<string, unknown>, callback?: unknown, fnAck?: () => void): void;
}
interface SrfError {
  status?: number;
}

describe("drachtio-srf's own scenarios against the engine", () => {
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

  async function withApp(setup: (app: SrfApp) => void): Promise<SrfApp> {
    running = await startTestEngine({ timers: LINGER_TIMERS });
    const app = newSrf();
    srf = app;
    setup(app);
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length + running!.engine.control.routes.appsFor('subscribe').length).toBeGreaterThan(0);
    return app;
  }

  async function startCallee(file: string): Promise<string> {
    const port = await freePort();
    callee = await startSipp({ scenario: scenario(file), localAddress: '127.0.0.1', localPort: port, transport: 'u1', calls: 1, timeoutSeconds: 30 });
    return `sip:sipp-uas@127.0.0.1:${port}`;
  }

  async function caller(file: string): Promise<void> {
    const result = await runSipp({
      scenario: scenario(file), target: `127.0.0.1:${running!.sipPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls: 1, timeoutSeconds: 20, service: 'drachtio-sut',
    });
    expect(result.statistics?.successfulCalls, await describeSippRun(file, result)).toBe(1);
  }

  async function expectIdle(): Promise<void> {
    await expect.poll(() => running!.engine.ua.dialogs.size, { timeout: 5000 }).toBe(0);
    await expect.poll(() => running!.engine.ua.pendingServerRequests).toBe(0);
  }

  it('uas: rejects an INVITE with 503 (uac-expect-503.xml)', async () => {
    await withApp((app) => app.invite(((_req: SrfRequest, res: SrfResponse) => res.send(503)) as never));
    await caller('uac-expect-503.xml');
    await expectIdle();
  });

  it('uas: createUAS answers and the caller hangs up (uac.xml)', async () => {
    await withApp((app) => app.invite(((req: SrfRequest, res: unknown) => {
      void app.createUAS(req, res, { localSdp: req.body.replace(/m=audio\s+(\d+)/, 'm=audio 15000') }).catch(() => undefined);
    }) as never));
    await caller('uac.xml');
    await expectIdle();
  });

  it('uas: SUBSCRIBE dialog, NOTIFY active then terminated (uac-subscribe.xml)', async () => {
    const done: string[] = [];
    await withApp((app) => app.use('subscribe', ((req: unknown, res: unknown) => {
      app.createUAS(req, res, {}).then(async (dialog: SrfDialog) => {
        await dialog.request({ method: 'NOTIFY', headers: { Event: 'presence', 'Subscription-State': 'active' } });
        await dialog.request({ method: 'NOTIFY', headers: { Event: 'presence', 'Subscription-State': 'terminated' } });
        done.push('notified');
      }).catch((error: Error) => done.push(`error: ${error.message}`));
    }) as never));
    await caller('uac-subscribe.xml');
    await expect.poll(() => done).toEqual(['notified']);
    await expectIdle();
  });

  it('uas: answers a re-INVITE without SDP, then hangs up on its ACK (uac-send-reinvite-no-sdp.xml)', async () => {
    await withApp((app) => app.invite(((req: SrfRequest, res: unknown) => {
      const localSdp = req.body.replace(/m=audio\s+(\d+)/, 'm=audio 15000');
      app.createUAS(req, res, { localSdp }).then((uas) => {
        uas.on('modify', ((_reinvite: unknown, reinviteRes: SrfResponse) => {
          reinviteRes.send(200, { body: localSdp }, undefined, () => void uas.destroy());
        }) as never);
      }, () => undefined);
    }) as never));
    await caller('uac-send-reinvite-no-sdp.xml');
    await expectIdle();
  });

  it('b2b: PRACK on both legs, app Contact with @localhost (uac-prack.xml / uas-prack.xml)', async () => {
    const target = await startCallee('uas-prack.xml');
    await withApp((app) => app.invite(((req: SrfRequest, res: unknown) => {
      app.createB2BUA(req, res, target, { proxyResponseHeaders: ['all'], responseHeaders: { Contact: 'sip:foo@localhost' } })
        .then(({ uas, uac }) => { uas.on('destroy', () => void uac.destroy()); uac.on('destroy', () => void uas.destroy()); }, () => undefined);
    }) as never));
    await caller('uac-prack.xml');
    expect((await callee!.result).statistics?.successfulCalls).toBe(1);
    await expectIdle();
  });

  it('b2b: the app sets the To tag of its 200 OK (uac.xml / uas.xml)', async () => {
    const target = await startCallee('uas.xml');
    const tags: string[] = [];
    await withApp((app) => app.invite(((req: SrfRequest, res: unknown) => {
      app.createB2BUA(req, res, target, { responseHeaders: (uacResponse: SrfRequest) => ({ To: `tag=${uacResponse.get('Call-ID')}` }) })
        .then(({ uas, uac }) => {
          tags.push(`${uas.sip.localTag}|${uac.sip.callId}`);
          uas.on('destroy', () => void uac.destroy());
        }, () => undefined);
    }) as never));
    await caller('uac.xml');
    expect(tags).toHaveLength(1);
    const [localTag, uacCallId] = tags[0]!.split('|');
    expect(localTag).toBe(uacCallId);
    await expectIdle();
  });

  it('b2b: CANCEL from A cancels B (uac-cancel.xml / uas-cancel.xml)', async () => {
    const target = await startCallee('uas-cancel.xml');
    const statuses: number[] = [];
    await withApp((app) => app.invite(((req: SrfRequest, res: unknown) => {
      app.createB2BUA(req, res, target).then(() => statuses.push(200), (error: SrfError) => statuses.push(error.status ?? 0));
    }) as never));
    await caller('uac-cancel.xml');
    await expect.poll(() => statuses).toEqual([487]);
    expect((await callee!.result).statistics?.successfulCalls).toBe(1);
    await expectIdle();
  });

  it('b2b: passes a 404 from B, or replaces it with 480 (uac-expect-404.xml, uac-expect-480.xml / uas-404.xml)', async () => {
    let target = await startCallee('uas-404.xml');
    await withApp((app) => app.invite(((req: SrfRequest, res: unknown) => {
      app.createB2BUA(req, res, target).catch(() => undefined);
    }) as never));
    await caller('uac-expect-404.xml');
    await callee!.stop();
    target = await startCallee('uas-404.xml');
    srf!.disconnect();
    await running!.stop();
    await withApp((app) => app.invite(((req: SrfRequest, res: SrfResponse) => {
      app.createB2BUA(req, res, target, { passFailure: false }).catch((error: SrfError) => {
        if (error.status === 404) res.send(480);
      });
    }) as never));
    await caller('uac-expect-480.xml');
    await expectIdle();
  });

  it('rejects an INVITE without Contact with 400 before any app sees it (uac-expect-400-no-contact-header.xml)', async () => {
    let seen = 0;
    await withApp((app) => app.invite((() => { seen++; }) as never));
    await caller('uac-expect-400-no-contact-header.xml');
    expect(seen).toBe(0);
  });

  it('b2b: INVITE without SDP, answer in the ACK (uac-nosdp.xml / uas.xml)', async () => {
    const target = await startCallee('uas.xml');
    const sdps: string[] = [];
    await withApp((app) => app.invite(((req: SrfRequest, res: unknown) => {
      app.createB2BUA(req, res, target).then(({ uas, uac }) => {
        sdps.push(uas.remote.sdp);
        uas.on('destroy', () => void uac.destroy());
      }, () => undefined);
    }) as never));
    await caller('uac-nosdp.xml');
    await expect.poll(() => sdps.length).toBe(1);
    await expectIdle();
  });
});
