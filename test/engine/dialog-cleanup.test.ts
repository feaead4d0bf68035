// Dialogs must not outlive failed calls: the engine's dialog count returns to 0 when the
// app never answers the peer's BYE (the sweep answers 408 and the BYE still ends the dialog).
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp } from './srf-app.js';
import { TEST_SDP } from './sdp.js';
import { RawSipPeer, isResponse } from './raw-sip-peer.js';

/** T1 = 50 ms: an unanswered request is answered 408 by the UA core after 32*T1 = 1.6 s. */
const FAST_TIMERS = { t1: 50, t2: 400 };

describe('dialog cleanup after failed calls', () => {
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

  it('removes the dialog when the app never answers the peer\'s BYE', async () => {
    running = await startTestEngine({ timers: FAST_TIMERS });
    const app = newSrf();
    apps.push(app);
    let byes = 0;
    app.invite(((_req: unknown, res: { send: (status: number, opts: unknown) => void }) => {
      res.send(200, { body: TEST_SDP, headers: { 'Content-Type': 'application/sdp' } });
    }) as never);
    // The app sees the BYE and says nothing.
    (app as unknown as { bye: (handler: () => void) => void }).bye(() => { byes++; });
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);
    peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    const sipPort = running.sipPort;
    const common = (method: string, seq: number, branch: string, to: string) => [
      `Via: SIP/2.0/UDP 127.0.0.1:${peer!.port};branch=z9hG4bK${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@127.0.0.1:${peer!.port}>;tag=peer1`,
      `To: ${to}`,
      'Call-ID: unanswered-bye-1',
      `CSeq: ${seq} ${method}`,
    ];
    peer.send([
      `INVITE sip:bob@127.0.0.1:${sipPort} SIP/2.0`, ...common('INVITE', 1, 'ub1', `<sip:bob@127.0.0.1:${sipPort}>`),
      `Contact: <sip:alice@127.0.0.1:${peer.port}>`, 'Content-Type: application/sdp',
    ], TEST_SDP);
    const ok = await peer.waitFor(isResponse(200, 'INVITE'));
    const to = ok.headers.get('To') ?? '';
    peer.send([`ACK sip:bob@127.0.0.1:${sipPort} SIP/2.0`, ...common('ACK', 1, 'ub1ack', to)]);
    expect(running.engine.ua.dialogs.size).toBe(1);
    peer.send([`BYE sip:bob@127.0.0.1:${sipPort} SIP/2.0`, ...common('BYE', 2, 'ub2', to)]);
    await expect.poll(() => byes).toBe(1);
    await peer.waitFor(isResponse(408, 'BYE'), 5000);
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
  });

  it('keeps one dialog when the caller retransmits its INVITE after the 200 (absorbed, not a second call)', async () => {
    running = await startTestEngine({ timers: FAST_TIMERS });
    const app = newSrf();
    apps.push(app);
    let invites = 0;
    app.invite(((_req: unknown, res: { send: (status: number, opts: unknown) => void }) => {
      invites++;
      res.send(200, { body: TEST_SDP, headers: { 'Content-Type': 'application/sdp' } });
    }) as never);
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);
    peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    const sipPort = running.sipPort;
    const invite = [
      `INVITE sip:bob@127.0.0.1:${sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKretx1;rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@127.0.0.1:${peer.port}>;tag=peer1`,
      `To: <sip:bob@127.0.0.1:${sipPort}>`,
      'Call-ID: retransmitted-invite-1',
      'CSeq: 1 INVITE',
      `Contact: <sip:alice@127.0.0.1:${peer.port}>`,
      'Content-Type: application/sdp',
    ];
    peer.send(invite, TEST_SDP);
    await peer.waitFor(isResponse(200, 'INVITE'));
    // Retransmissions while the 2xx is on its way, then after Accepted has settled.
    peer.send(invite, TEST_SDP);
    await new Promise((resolve) => setTimeout(resolve, 300));
    peer.send(invite, TEST_SDP);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(invites).toBe(1);
    expect(running.engine.ua.dialogs.size).toBe(1);
  });
});
