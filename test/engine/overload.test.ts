// Issue 8, overload at the engine: a flooding allow-listed source is blocked (silence, counted)
// while another source's requests keep working, and above the dialog ceiling a new INVITE gets
// 503 with Retry-After while the calls that are up can still end. Short bursts: the long flood
// with SIPp calls alongside is bench/engine/flood.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp, type SrfDialog } from './srf-app.js';
import { TEST_SDP } from './sdp.js';
import { RawSipPeer, answer, isRequest, isResponse } from './raw-sip-peer.js';

function options(peer: RawSipPeer, sipPort: number, n: number): string[] {
  return [
    `OPTIONS sip:ping@127.0.0.1:${sipPort} SIP/2.0`,
    `Via: SIP/2.0/UDP ${peer.address}:${peer.port};branch=z9hG4bKflood${n};rport`,
    'Max-Forwards: 70',
    `From: <sip:flood@${peer.address}>;tag=f${n}`,
    `To: <sip:ping@127.0.0.1:${sipPort}>`,
    `Call-ID: flood-${n}@${peer.address}`,
    `CSeq: ${n} OPTIONS`,
  ];
}

function invite(peer: RawSipPeer, sipPort: number, callId: string): string[] {
  return [
    `INVITE sip:bob@127.0.0.1:${sipPort} SIP/2.0`,
    `Via: SIP/2.0/UDP ${peer.address}:${peer.port};branch=z9hG4bK${callId};rport`,
    'Max-Forwards: 70',
    `From: <sip:alice@${peer.address}>;tag=${callId}`,
    `To: <sip:bob@127.0.0.1:${sipPort}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:alice@${peer.address}:${peer.port}>`,
    'Content-Type: application/sdp',
  ];
}

async function metric(running: RunningEngine, name: string): Promise<string> {
  return running.engine.registry.getSingleMetricAsString(name);
}

describe('overload limits of the engine', () => {
  let running: RunningEngine | undefined;
  let app: SrfApp | undefined;
  const peers: RawSipPeer[] = [];
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.close();
    app?.disconnect();
    app = undefined;
    await running?.stop();
    running = undefined;
  });

  it('blocks a source above its message rate (silence, counted) while another source is answered', async () => {
    running = await startTestEngine({ overload: { perSourceMessagesPerSecond: 50, blockSeconds: 60 } });
    const srf = newSrf();
    app = srf;
    srf.options(((_req: unknown, res: { send(status: number): void }) => res.send(200)) as never);
    await connectSrf(srf, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('options').length).toBe(1);
    const flooder = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort }, '127.0.0.2');
    const caller = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort }, '127.0.0.3');
    peers.push(flooder, caller);

    for (let n = 1; n <= 300; n++) flooder.send(options(flooder, running.sipPort, n));
    await expect.poll(() => metric(running!, 'vpop_engine_source_blocks_total')).toContain('vpop_engine_source_blocks_total 1');
    // A legitimate source at the same moment is answered.
    caller.send(options(caller, running.sipPort, 1));
    await caller.waitFor(isResponse(200, 'OPTIONS'));
    // The flooder got at most its first second's worth of answers, and nothing once blocked.
    const dropped = async () => Number(/_total (\d+)/.exec(await metric(running!, 'vpop_engine_rate_limited_messages_total'))?.[1]);
    await expect.poll(dropped).toBeGreaterThan(0);
    const answered = flooder.count(isResponse(200, 'OPTIONS'));
    expect(answered).toBeLessThanOrEqual(50);
    flooder.send(options(flooder, running.sipPort, 301));
    caller.send(options(caller, running.sipPort, 2));
    await caller.waitFor((m) => isResponse(200, 'OPTIONS')(m) && m.headers.get('CSeq') === '2 OPTIONS');
    expect(flooder.count(isResponse(200, 'OPTIONS'))).toBe(answered);
    expect(await metric(running, 'vpop_engine_sources_blocked')).toContain('vpop_engine_sources_blocked 1');
  });

  it('answers 503 with Retry-After to a new INVITE above the dialog ceiling, and still ends the call that is up', async () => {
    running = await startTestEngine({ overload: { maxDialogs: 1, retryAfterSeconds: 7 } });
    const srf = newSrf();
    app = srf;
    const dialogs: SrfDialog[] = [];
    srf.invite(((req: unknown, res: unknown) => {
      srf.createUAS(req, res, { localSdp: TEST_SDP }).then((dialog) => dialogs.push(dialog), () => undefined);
    }) as never);
    await connectSrf(srf, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);
    const peer = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    peers.push(peer);

    peer.send(invite(peer, running.sipPort, 'ceiling-1'), TEST_SDP);
    const ok = await peer.waitFor(isResponse(200, 'INVITE'));
    expect(running.engine.ua.dialogs.size).toBe(1);
    const contact = ok.headers.get('Contact') ?? '';
    peer.send([
      `ACK ${contact.slice(contact.indexOf('<') + 1, contact.indexOf('>'))} SIP/2.0`,
      `Via: SIP/2.0/UDP ${peer.address}:${peer.port};branch=z9hG4bKceiling-1-ack;rport`,
      'Max-Forwards: 70',
      `From: ${ok.headers.get('From') ?? ''}`,
      `To: ${ok.headers.get('To') ?? ''}`,
      'Call-ID: ceiling-1',
      'CSeq: 1 ACK',
    ]);
    peer.send(invite(peer, running.sipPort, 'ceiling-2'), TEST_SDP);
    const refused = await peer.waitFor(isResponse(503, 'INVITE'));
    expect(refused.headers.get('Call-ID')).toBe('ceiling-2');
    expect(refused.headers.get('Retry-After')).toBe('7');
    expect(await metric(running, 'vpop_engine_overload_rejections_total')).toContain('vpop_engine_overload_rejections_total{limit="dialogs"} 1');

    // The call that is up still ends: the app's BYE goes out and is answered.
    await expect.poll(() => dialogs.length).toBe(1);
    const ending = dialogs[0]!.destroy();
    const bye = await peer.waitFor(isRequest('BYE'));
    peer.send(answer(bye, 200, 'OK', 'unused'));
    await ending;
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
  });
});
