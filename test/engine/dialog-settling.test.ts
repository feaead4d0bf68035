// The CANCEL/200-race failure of the engine matrix, made deterministic: a caller that
// sends ACK and BYE the moment it gets the 200, against a drachtio-srf createB2BUA app
// that is busy for 20 ms just as the engine reports the 200 it sent. drachtio-srf
// handles every frame of one read synchronously and the app attaches its 'destroy'
// listener a few microtasks after the dialog exists, so a BYE that shares a read with
// that report is lost and the callee is never hung up. The engine holds requests in a
// dialog the app has only just learned of (DIALOG_SETTLE_MS) so they come in a later read.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp, type SrfDialog } from './srf-app.js';
import { ControlRelay } from './control-relay.js';
import { RawSipPeer, answer, isRequest, isResponse } from './raw-sip-peer.js';
import { TEST_SDP } from './sdp.js';

const BUSY_APP_MS = 20;

describe('requests in a dialog the app has just learned of', () => {
  let running: RunningEngine | undefined;
  let relay: ControlRelay | undefined;
  let app: SrfApp | undefined;
  const peers: RawSipPeer[] = [];
  afterEach(async () => {
    app?.disconnect();
    app = undefined;
    relay?.close();
    relay = undefined;
    for (const peer of peers.splice(0)) peer.close();
    await running?.stop();
    running = undefined;
  });

  it('reach a createB2BUA app after the 200 it sent, so the B leg gets its BYE', async () => {
    running = await startTestEngine();
    const engineSip = { address: '127.0.0.1', port: running.sipPort };
    const caller = await RawSipPeer.open(engineSip);
    const callee = await RawSipPeer.open(engineSip);
    peers.push(caller, callee);
    const callId = `settle-${Date.now()}`;
    let heldTheReport = false;
    relay = await ControlRelay.open(running.controlPort, (chunk) => {
      const text = chunk.toString('utf8');
      const report = text.includes('|response|') && text.includes('SIP/2.0 200 OK') && text.includes(`Call-ID: ${callId}`);
      if (report) heldTheReport = true;
      return report;
    });
    app = newSrf();
    const srf = app;
    srf.invite(((req: unknown, res: unknown) => {
      srf.createB2BUA(req, res, `sip:bob@127.0.0.1:${callee.port}`)
        .then(({ uas, uac }: { uas: SrfDialog; uac: SrfDialog }) => {
          uas.on('destroy', () => void uac.destroy());
          uac.on('destroy', () => void uas.destroy());
        })
        .catch(() => undefined);
    }) as never);
    await connectSrf(srf, relay.port, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);

    caller.send([
      `INVITE sip:bob@127.0.0.1:${running.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${caller.port};branch=z9hG4bKsettle1;rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@127.0.0.1:${caller.port}>;tag=caller1`,
      `To: <sip:bob@127.0.0.1:${running.sipPort}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:alice@127.0.0.1:${caller.port}>`,
      'Content-Type: application/sdp',
    ], TEST_SDP);
    const bInvite = await callee.waitFor(isRequest('INVITE'));
    callee.send(answer(bInvite, 200, 'OK', 'callee1', [`Contact: <sip:bob@127.0.0.1:${callee.port}>`, 'Content-Type: application/sdp']), TEST_SDP);

    const ok = await caller.waitFor(isResponse(200, 'INVITE'));
    const to = ok.headers.get('To') ?? '';
    const inDialog = (method: string, seq: number, branch: string): string[] => [
      `${method} ${/<([^>]+)>/.exec(ok.headers.get('Contact') ?? '')?.[1] ?? ''} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${caller.port};branch=z9hG4bK${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@127.0.0.1:${caller.port}>;tag=caller1`,
      `To: ${to}`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} ${method}`,
    ];
    // ACK and BYE in the same tick as the 200 arrived, while the app is not reading.
    caller.send(inDialog('ACK', 1, 'settle2'));
    caller.send(inDialog('BYE', 2, 'settle3'));
    await new Promise((resolve) => setTimeout(resolve, BUSY_APP_MS));
    expect(heldTheReport).toBe(true);
    relay.release();

    await callee.waitFor(isRequest('ACK'));
    const bBye = await callee.waitFor(isRequest('BYE'));
    callee.send(answer(bBye, 200, 'OK', 'callee1'));
    await caller.waitFor(isResponse(200, 'BYE'));
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
  });
});
