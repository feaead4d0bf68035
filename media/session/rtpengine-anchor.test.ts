// RtpengineAnchor against a real rtpengine: SDES-SRTP carrier <-> RTP inside in both
// directions, suite and codec trimming, delete on every path; session count back to 0.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestRtpengine, type TestRtpengine } from '../testing/test-rtpengine.js';
import { rtpSdp, srtpOffer } from '../testing/sample-sdp.js';
import { summariseAudioOffer } from '../sdp/audio-offer-summary.js';
import { MediaAnchorError, type MediaSideProfile } from './media-anchor.js';
import { RtpengineAnchor } from './rtpengine-anchor.js';
import { startLossyUdpRelay } from '../testing/lossy-udp-relay.js';

const inside: MediaSideProfile = { security: 'rtp', srtpSuites: [], codecs: ['PCMU', 'PCMA', 'telephone-event'] };
const carrier: MediaSideProfile = { security: 'srtp', srtpSuites: ['AES_CM_128_HMAC_SHA1_80'], codecs: ['PCMU', 'telephone-event'] };

let rtpengine: TestRtpengine;
let anchor: RtpengineAnchor;
beforeAll(async () => {
  rtpengine = await startTestRtpengine();
  anchor = new RtpengineAnchor({ ngAddress: rtpengine.ngAddress, ngPort: rtpengine.ngPort });
});
afterAll(async () => {
  anchor?.close();
  await rtpengine?.stop();
});
afterEach(async () => {
  expect(await anchor.activeCalls()).toBe(0);
});

function mediaPort(sdp: string): number {
  return Number(/^m=audio (\d+)/m.exec(sdp)?.[1]);
}

describe('RtpengineAnchor', () => {
  it('turns a carrier SDES-SRTP offer into plain RTP inside, and the inside answer into SRTP with one crypto line', async () => {
    const offer = srtpOffer('127.0.0.2', 40000);
    const insideOffer = await anchor.offer({ callId: 'c1', fromTag: 'carrier', sdp: offer, toward: inside });
    const summary = summariseAudioOffer(insideOffer);
    expect(summary.protocol).toBe('RTP/AVP');
    expect(summary.cryptoSuites).toEqual([]);
    expect(summary.codecs).toEqual(['PCMU', 'PCMA', 'telephone-event']);
    expect(insideOffer).not.toContain('127.0.0.2');
    expect(insideOffer).not.toContain('a=ice');
    const port = mediaPort(insideOffer);
    expect(port).toBeGreaterThanOrEqual(rtpengine.portMin);
    expect(port).toBeLessThanOrEqual(rtpengine.portMax);
    expect(await anchor.activeCalls()).toBe(1);

    const carrierAnswer = await anchor.answer({
      callId: 'c1', fromTag: 'carrier', toTag: 'core', toward: carrier,
      sdp: rtpSdp('127.0.0.1', 41000).replace('s=-', 's=VPOP stand-in core (echo)\r\ni=inside PBX'),
    });
    const answered = summariseAudioOffer(carrierAnswer);
    expect(answered.protocol).toBe('RTP/SAVP');
    expect(answered.cryptoSuites).toEqual(['AES_CM_128_HMAC_SHA1_80']);
    expect(carrierAnswer).not.toContain('41000');
    // Nothing of the inside's origin line or session name reaches the carrier.
    expect(carrierAnswer).not.toMatch(/^o=peer /m);
    expect(insideOffer).not.toMatch(/^o=carrier /m);
    expect(carrierAnswer).toMatch(/^s=-\r$/m);
    expect(carrierAnswer).not.toMatch(/stand-in|^i=/m);
    expect(carrierAnswer).not.toMatch(/fingerprint|setup:/);
    const state = await anchor.query({ callId: 'c1' });
    expect(Object.keys(state?.packetsByTag ?? {}).sort()).toEqual(['carrier', 'core']);
    expect(await anchor.callIds()).toEqual(['c1']);
    const carrierRtp = state?.streams.find((stream) => stream.tag === 'carrier' && !stream.rtcp);
    expect(carrierRtp).toMatchObject({ protocol: 'RTP/SAVP', remoteAddress: '127.0.0.2', remotePort: 40000, cryptoSuite: 'AES_CM_128_HMAC_SHA1_80' });
    expect(state?.streams.find((stream) => stream.tag === 'core' && !stream.rtcp)).toMatchObject({ protocol: 'RTP/AVP', remotePort: 41000 });
    await anchor.delete({ callId: 'c1' });
    expect(await anchor.query({ callId: 'c1' })).toBeUndefined();
  });

  it('offers an inside RTP call to an SRTP carrier with only the trunk\'s suites and codecs', async () => {
    const carrierTwoSuites: MediaSideProfile = { ...carrier, srtpSuites: ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] };
    const out = await anchor.offer({ callId: 'c2', fromTag: 'core', sdp: rtpSdp('127.0.0.1', 42000, '0 8 9 101'), toward: carrierTwoSuites });
    const summary = summariseAudioOffer(out);
    expect(summary.protocol).toBe('RTP/SAVP');
    expect(summary.cryptoSuites.sort()).toEqual(['AES_CM_128_HMAC_SHA1_32', 'AES_CM_128_HMAC_SHA1_80']);
    expect(summary.codecs).toEqual(['PCMU', 'telephone-event']);
    expect(out).not.toMatch(/fingerprint|a=setup/);
    const insideAnswer = await anchor.answer({ callId: 'c2', fromTag: 'core', toTag: 'carrier', sdp: srtpOffer('127.0.0.2', 43000, 'pcmu'), toward: inside });
    expect(summariseAudioOffer(insideAnswer).protocol).toBe('RTP/AVP');
    expect(insideAnswer).not.toContain('a=crypto');
    await anchor.delete({ callId: 'c2', fromTag: 'core' });
  });

  it('rejects an answer for an unknown call with a MediaAnchorError, and delete of an unknown call does not throw', async () => {
    await expect(anchor.answer({ callId: 'nope', fromTag: 'a', toTag: 'b', sdp: rtpSdp('127.0.0.1', 44000), toward: carrier }))
      .rejects.toBeInstanceOf(MediaAnchorError);
    await expect(anchor.delete({ callId: 'nope' })).resolves.toBeUndefined();
  });

  it('reports a dead rtpengine as MediaAnchorError within the timeout', async () => {
    const dead = new RtpengineAnchor({ ngAddress: '127.0.0.1', ngPort: 9, timeoutMs: 300 });
    try {
      await expect(dead.offer({ callId: 'x', fromTag: 'a', sdp: rtpSdp('127.0.0.1', 45000), toward: carrier })).rejects.toBeInstanceOf(MediaAnchorError);
    } finally {
      dead.close();
    }
  });

  it('resends an ng command rtpengine never received (UDP loss) instead of failing the call', async () => {
    const relay = await startLossyUdpRelay({ address: rtpengine.ngAddress, port: rtpengine.ngPort }, 2);
    const lossy = new RtpengineAnchor({ ngAddress: '127.0.0.1', ngPort: relay.port, timeoutMs: 2000 });
    try {
      const insideOffer = await lossy.offer({ callId: 'lossy-offer', fromTag: 'carrier', sdp: srtpOffer('127.0.0.2', 40020), toward: inside });
      expect(summariseAudioOffer(insideOffer).protocol).toBe('RTP/AVP');
      expect(relay.dropped).toBe(2);
      expect(relay.forwarded).toBe(1);
    } finally {
      await lossy.delete({ callId: 'lossy-offer' });
      lossy.close();
      await relay.close();
    }
  });

  it('fails with a timeout once every attempt is lost', async () => {
    const relay = await startLossyUdpRelay({ address: rtpengine.ngAddress, port: rtpengine.ngPort }, 1000);
    const silent = new RtpengineAnchor({ ngAddress: '127.0.0.1', ngPort: relay.port, timeoutMs: 800 });
    try {
      const offer = silent.offer({ callId: 'lossy-never', fromTag: 'carrier', sdp: srtpOffer('127.0.0.2', 40030), toward: inside });
      await expect(offer).rejects.toBeInstanceOf(MediaAnchorError);
      await expect(offer).rejects.toThrow(/timeout/i);
      expect(relay.dropped).toBe(4);
      expect(relay.forwarded).toBe(0);
    } finally {
      silent.close();
      await relay.close();
    }
  });
});
