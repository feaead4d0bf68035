// UA-core behaviour that needs a scripted peer: 2xx retransmission until ACK and
// the BYE when it never comes, re-INVITE glare (491), an app leaving with a call
// pending (503), and CDR events to an app that routes cdr:*.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp, type SrfDialog } from './srf-app.js';
import { TEST_SDP } from './sdp.js';
import { RawSipPeer, answer, isRequest, isResponse } from './raw-sip-peer.js';
import type { SipMessage } from '../../edge/engine/messages/sip-message.js';
import { runSipp, describeSippRun } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';

/** T1 = 50 ms: Timer G starts at 50 ms, Timer H (64*T1) is 3.2 s. */
const FAST_TIMERS = { t1: 50, t2: 400 };

/** The URI inside the first Contact of a message (the engine writes name-addr form). */
function contactUriOf(message: SipMessage): string {
  const contact = message.headers.get('Contact') ?? '';
  expect(contact).toMatch(/^<sip:[^>]+>/);
  return contact.slice(1, contact.indexOf('>'));
}

function inviteLines(peer: RawSipPeer, sipPort: number, callId: string, branch: string): string[] {
  return [
    `INVITE sip:bob@127.0.0.1:${sipPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:alice@127.0.0.1:${peer.port}>;tag=peer1`,
    `To: <sip:bob@127.0.0.1:${sipPort}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:alice@127.0.0.1:${peer.port}>`,
    'Content-Type: application/sdp',
  ];
}


describe('dialog behaviour of the UA core', () => {
  let running: RunningEngine | undefined;
  const apps: SrfApp[] = [];
  let peer: RawSipPeer | undefined;
  afterEach(async () => {
    for (const app of apps.splice(0)) app.disconnect();
    peer?.close();
    peer = undefined;
    await running?.stop();
    running = undefined;
  });

  async function connectedApp(setup: (app: SrfApp) => void): Promise<SrfApp> {
    const app = newSrf();
    apps.push(app);
    setup(app);
    await connectSrf(app, running!.controlPort, TEST_SECRET);
    return app;
  }

  it('retransmits the 2xx until Timer H, then sends BYE and tells the app with an unsolicited BYE', async () => {
    running = await startTestEngine({ timers: FAST_TIMERS });
    const reasons: string[] = [];
    await connectedApp((app) => app.invite(((req: unknown, res: unknown) => {
      app.createUAS(req, res, { localSdp: TEST_SDP }).then((dialog) => dialog.on('destroy', ((_msg: unknown, reason: string) => { reasons.push(reason); }) as never), () => undefined);
    }) as never));
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);
    peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    peer.send(inviteLines(peer, running.sipPort, 'ack-timeout-1', 'a1'), TEST_SDP);
    const bye = await peer.waitFor(isRequest('BYE'), 6000);
    // 50, 100, 200, 400, 400, ... ms until 3.2 s: the 2xx is sent about ten times.
    expect(peer.count(isResponse(200, 'INVITE'))).toBeGreaterThanOrEqual(6);
    expect(bye.headers.get('Reason')).toBe('SIP ;cause=200 ;text="ACK timeout"');
    peer.send(answer(bye, 200, 'OK', 'unused'));
    // What drachtio-srf's own suite expects of drachtio-server (test/uas.js).
    await expect.poll(() => reasons).toEqual(['ACK timeout']);
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
  });

  it('ends a session its peer does not refresh (RFC 4028, peer is refresher) with BYE and "Session timer expired"', async () => {
    running = await startTestEngine({ timers: FAST_TIMERS });
    const reasons: string[] = [];
    await connectedApp((app) => app.invite(((req: unknown, res: unknown) => {
      app.createUAS(req, res, { localSdp: TEST_SDP, headers: { 'Session-Expires': '3;refresher=uac', Require: 'timer' } })
        .then((dialog) => dialog.on('destroy', ((_msg: unknown, reason: string) => { reasons.push(reason); }) as never), () => undefined);
    }) as never));
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);
    peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    peer.send([...inviteLines(peer, running.sipPort, 'session-timer-1', 'st1'), 'Supported: timer', 'Session-Expires: 3;refresher=uac'], TEST_SDP);
    const ok = await peer.waitFor(isResponse(200, 'INVITE'));
    expect(ok.headers.get('Session-Expires')).toBe('3;refresher=uac');
    peer.send([
      `ACK sip:127.0.0.1:${running.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKst1ack;rport`,
      'Max-Forwards: 70',
      `From: ${ok.headers.get('From') ?? ''}`,
      `To: ${ok.headers.get('To') ?? ''}`,
      'Call-ID: session-timer-1',
      'CSeq: 1 ACK',
    ]);
    const started = Date.now();
    const bye = await peer.waitFor(isRequest('BYE'), 5000);
    // 3 s - min(32 s, 1 s) = 2 s after the 200.
    expect(Date.now() - started).toBeGreaterThan(1500);
    expect(bye.headers.get('Reason')).toBe('SIP ;cause=200 ;text="Session timer expired"');
    peer.send(answer(bye, 200, 'OK', 'unused'));
    await expect.poll(() => reasons).toEqual(['Session timer expired']);
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
  });

  it("holds an app's request in a UAS dialog until the caller's ACK, as drachtio-server does (issue 7)", async () => {
    running = await startTestEngine();
    let infoRequested = false;
    let infoAnswered: unknown;
    await connectedApp((app) => app.invite(((req: unknown, res: unknown) => {
      app.createUAS(req, res, { localSdp: TEST_SDP }).then((dialog) => {
        // A B2BUA relaying the other leg's INFO the moment its 200 is out, before any ACK.
        infoRequested = true;
        dialog.request({ method: 'INFO', headers: { 'Content-Type': 'application/dtmf-relay' }, body: 'Signal=5\r\nDuration=160\r\n' })
          .then((response) => { infoAnswered = response; }, (error: unknown) => { infoAnswered = error; });
      }, () => undefined);
    }) as never));
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);
    peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    peer.send(inviteLines(peer, running.sipPort, 'hold-until-ack-1', 'h1'), TEST_SDP);
    const ok = await peer.waitFor(isResponse(200, 'INVITE'));
    await expect.poll(() => infoRequested).toBe(true);
    // The app's INFO has reached the engine (same socket, in order) well before this: a loaded
    // machine can only make the check below weaker, never fail it wrongly.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(peer.count(isRequest('INFO'))).toBe(0);
    peer.send([
      `ACK ${contactUriOf(ok)} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKh1ack;rport`,
      'Max-Forwards: 70',
      `From: ${ok.headers.get('From') ?? ''}`,
      `To: ${ok.headers.get('To') ?? ''}`,
      'Call-ID: hold-until-ack-1',
      'CSeq: 1 ACK',
    ]);
    const info = await peer.waitFor(isRequest('INFO'));
    expect(peer.received.indexOf(info)).toBeGreaterThan(peer.received.indexOf(ok));
    peer.send(answer(info, 200, 'OK', 'unused'));
    await expect.poll(() => infoAnswered).toMatchObject({ status: 200 });
  });

  it('answers 491 to a re-INVITE that crosses our own, and lets the app finish its re-INVITE', async () => {
    running = await startTestEngine({ timers: FAST_TIMERS });
    const app = await connectedApp(() => undefined);
    peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    const remote = peer;
    // The peer answers the app's INVITE at once.
    const calling: Promise<SrfDialog> = app.createUAC(`sip:alice@127.0.0.1:${peer.port}`, { localSdp: TEST_SDP });
    const invite = await peer.waitFor(isRequest('INVITE'));
    peer.send(answer(invite, 200, 'OK', 'peer2', [`Contact: <sip:alice@127.0.0.1:${peer.port}>`, 'Content-Type: application/sdp']), TEST_SDP);
    const dialog = await calling;
    await peer.waitFor(isRequest('ACK'));

    const modifying = dialog.modify(TEST_SDP.replace('a=rtpmap', 'a=sendonly\r\na=rtpmap'));
    const reinvite = await peer.waitFor((m) => isRequest('INVITE')(m) && m !== invite);
    // The peer's own re-INVITE crosses ours.
    const ours = reinvite.kind === 'request' ? reinvite : undefined;
    remote.send([
      `INVITE sip:127.0.0.1:${running.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKglare1;rport`,
      'Max-Forwards: 70',
      `From: ${ours?.headers.get('To') ?? ''}`,
      `To: ${ours?.headers.get('From') ?? ''}`,
      `Call-ID: ${ours?.headers.get('Call-ID') ?? ''}`,
      'CSeq: 10 INVITE',
      `Contact: <sip:alice@127.0.0.1:${peer.port}>`,
      'Content-Type: application/sdp',
    ], TEST_SDP);
    await peer.waitFor(isResponse(491, 'INVITE'));
    peer.send(answer(reinvite, 200, 'OK', 'peer2', [`Contact: <sip:alice@127.0.0.1:${peer.port}>`, 'Content-Type: application/sdp']), TEST_SDP);
    await modifying;
    await expect.poll(() => peer!.count(isRequest('ACK'))).toBe(2);

    const ending = dialog.destroy();
    const bye = await peer.waitFor(isRequest('BYE'));
    peer.send(answer(bye, 200, 'OK', 'peer2'));
    await ending;
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
  });

  it('answers 503 to a pending INVITE when its app disconnects', async () => {
    running = await startTestEngine({ timers: FAST_TIMERS });
    let seen = 0;
    const app = await connectedApp((a) => a.invite((() => { seen++; }) as never));
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);
    peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    peer.send(inviteLines(peer, running.sipPort, 'app-gone-1', 'g1'), TEST_SDP);
    await expect.poll(() => seen).toBe(1);
    app.disconnect();
    await peer.waitFor(isResponse(503, 'INVITE'));
    await expect.poll(() => running!.engine.ua.pendingServerRequests).toBe(0);
  });

  it('answers 408 to a non-INVITE request its app never answers (after 32*T1, before Timer F of the peer)', async () => {
    running = await startTestEngine({ timers: FAST_TIMERS });
    let seen = 0;
    await connectedApp((app) => app.options((() => { seen++; }) as never));
    await expect.poll(() => running!.engine.control.routes.appsFor('options').length).toBe(1);
    peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    peer.send([
      `OPTIONS sip:127.0.0.1:${running.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKopt1;rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@127.0.0.1:${peer.port}>;tag=o1`,
      `To: <sip:127.0.0.1:${running.sipPort}>`,
      'Call-ID: unanswered-options-1',
      'CSeq: 1 OPTIONS',
    ]);
    await peer.waitFor(isResponse(408, 'OPTIONS'), 3200);
    expect(seen).toBe(1);
    expect(running.engine.ua.pendingServerRequests).toBe(0);
  });

  it('ends a SUBSCRIBE dialog when a NOTIFY with Subscription-State: terminated is answered', async () => {
    running = await startTestEngine({ timers: FAST_TIMERS });
    const dialogs: SrfDialog[] = [];
    await connectedApp((app) => app.use('subscribe', ((req: unknown, res: unknown) => {
      app.createUAS(req, res, { headers: { Expires: '60' } }).then((dialog) => dialogs.push(dialog), () => undefined);
    }) as never));
    await expect.poll(() => running!.engine.control.routes.appsFor('subscribe').length).toBe(1);
    peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    peer.send([
      `SUBSCRIBE sip:presence@127.0.0.1:${running.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKsub1;rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@127.0.0.1:${peer.port}>;tag=s1`,
      `To: <sip:presence@127.0.0.1:${running.sipPort}>`,
      'Call-ID: subscribe-1',
      'CSeq: 1 SUBSCRIBE',
      `Contact: <sip:alice@127.0.0.1:${peer.port}>`,
      'Event: presence',
      'Expires: 60',
    ]);
    await peer.waitFor((m) => m.kind === 'response' && m.status >= 200 && m.status < 300);
    await expect.poll(() => dialogs.length).toBe(1);
    expect(running.engine.ua.dialogs.size).toBe(1);
    const ending = dialogs[0]!.destroy();
    const notify = await peer.waitFor(isRequest('NOTIFY'));
    expect(notify.headers.get('Subscription-State')).toMatch(/^terminated/);
    peer.send(answer(notify, 200, 'OK', 'unused'));
    await ending;
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
  });

  it('sends cdr:attempt, cdr:start and cdr:stop to an app that routes them', async () => {
    running = await startTestEngine({ timers: FAST_TIMERS });
    const events: string[] = [];
    await connectedApp((app) => {
      app.invite(((req: unknown, res: unknown) => void app.createUAS(req, res, { localSdp: TEST_SDP }).catch(() => undefined)) as never);
    });
    await connectedApp((app) => {
      app.on('cdr:attempt', ((source: string) => events.push(`attempt:${source}`)) as never);
      app.on('cdr:start', ((source: string, _time: string, role: string) => events.push(`start:${source}:${role}`)) as never);
      app.on('cdr:stop', ((source: string, _time: string, reason: string) => events.push(`stop:${source}:${reason}`)) as never);
    });
    await expect.poll(() => running!.engine.control.routes.appsFor('cdr:stop').length).toBe(1);
    const result = await runSipp({
      scenario: 'uac', target: `127.0.0.1:${running.sipPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls: 1, durationMs: 50, timeoutSeconds: 10,
    });
    expect(result.statistics?.successfulCalls, await describeSippRun('uac', result)).toBe(1);
    await expect.poll(() => events).toEqual(['attempt:network', 'start:application:uas', 'stop:network:normal-release']);
  });
});
