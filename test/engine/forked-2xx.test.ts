// RFC 3261 §13.2.2.4 through the engine: an app's INVITE forked downstream is answered
// 2xx by two UAS (two To tags). The app gets the first dialog; the engine ACKs the
// second and ends it with a BYE, and ACKs that 2xx again when it is retransmitted.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp } from './srf-app.js';
import { RawSipPeer, answer, isRequest } from './raw-sip-peer.js';
import { TEST_SDP } from './sdp.js';
import { getTag } from '../../edge/engine/messages/headers/name-addr.js';
import type { SipMessage } from '../../edge/engine/messages/sip-message.js';

const withTag = (tag: string) => (m: SipMessage): boolean => getTag(m.headers.get('To') ?? '') === tag;

describe('a second forked 2xx to an INVITE an app sent', () => {
  let running: RunningEngine | undefined;
  let app: SrfApp | undefined;
  let peer: RawSipPeer | undefined;
  afterEach(async () => {
    app?.disconnect();
    app = undefined;
    peer?.close();
    peer = undefined;
    await running?.stop();
    running = undefined;
  });

  it('is ACKed and BYEd by the engine, and the app keeps only the first dialog', async () => {
    running = await startTestEngine();
    const forks = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    peer = forks;
    app = newSrf();
    await connectSrf(app, running.controlPort, TEST_SECRET);
    const calling = app.createUAC(`sip:bob@127.0.0.1:${forks.port}`, { localSdp: TEST_SDP });

    const invite = await forks.waitFor(isRequest('INVITE'));
    const okFrom = (tag: string): string[] => answer(invite, 200, 'OK', tag, [`Contact: <sip:${tag}@127.0.0.1:${forks.port}>`, 'Content-Type: application/sdp']);
    forks.send(okFrom('fork1'), TEST_SDP);
    const dialog = await calling;
    expect(dialog.sip.remoteTag).toBe('fork1');
    forks.send(okFrom('fork2'), TEST_SDP);

    const isAck = isRequest('ACK');
    await forks.waitFor((m) => isAck(m) && withTag('fork2')(m));
    const bye = await forks.waitFor((m) => isRequest('BYE')(m) && withTag('fork2')(m));
    expect(bye.kind === 'request' ? bye.uri : '').toBe(`sip:fork2@127.0.0.1:${forks.port}`);
    forks.send(answer(bye, 200, 'OK', 'fork2'));
    // A retransmission of the abandoned 2xx gets its ACK again.
    forks.send(okFrom('fork2'), TEST_SDP);
    await expect.poll(() => forks.count((m) => isAck(m) && withTag('fork2')(m))).toBe(2);
    expect(forks.count((m) => isAck(m) && withTag('fork1')(m))).toBe(1);
    expect(forks.count((m) => isRequest('BYE')(m) && withTag('fork1')(m))).toBe(0);
    expect(running.engine.ua.dialogs.size).toBe(1);

    const ending = dialog.destroy();
    const firstBye = await forks.waitFor((m) => isRequest('BYE')(m) && withTag('fork1')(m));
    forks.send(answer(firstBye, 200, 'OK', 'fork1'));
    await ending;
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
  });
});
