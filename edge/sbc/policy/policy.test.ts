import { describe, expect, it } from 'vitest';
import { trunkFixture } from '../testing/trunk-fixture.js';
import { TrunkDirectory, certificateMatches } from './trunk-identification.js';
import { codecDecision, keptCodecs, srtpDecision } from './media-policy.js';
import { CallAdmission } from './call-admission.js';
import { summariseAudioOffer } from '../../../media/sdp/audio-offer-summary.js';
import { rtpSdp, srtpOffer } from '../../../media/testing/sample-sdp.js';

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');

describe('TrunkDirectory', () => {
  const carrier = trunkFixture({ name: 'carrier', allow: ['127.0.0.2/32'] });
  const mtls = trunkFixture({ name: 'mtls', allow: ['127.0.0.10/31'], clientCert: { fingerprintSha256: FINGERPRINT } });
  const wide = trunkFixture({ name: 'wide', allow: ['127.0.0.0/29'] });
  const directory = new TrunkDirectory([carrier, mtls, wide]);

  it('identifies a trunk by source address, first listed first', () => {
    expect(directory.identify({ address: '127.0.0.2', protocol: 'tls' })).toEqual({ kind: 'trunk', trunk: carrier });
    expect(directory.identify({ address: '127.0.0.3', protocol: 'tls' })).toEqual({ kind: 'trunk', trunk: wide });
    expect(directory.identify({ address: '127.0.0.9', protocol: 'tls' })).toEqual({ kind: 'unknown-source' });
    expect(directory.identify({ address: '::ffff:127.0.0.2', protocol: 'udp' })).toEqual({ kind: 'trunk', trunk: carrier });
  });

  it('on a mutual-TLS trunk also needs the certificate, whatever the fingerprint case', () => {
    expect(directory.identify({ address: '127.0.0.11', protocol: 'tls', clientCertificate: { fingerprintSha256: FINGERPRINT.toLowerCase() } }))
      .toEqual({ kind: 'trunk', trunk: mtls });
    expect(directory.identify({ address: '127.0.0.11', protocol: 'tls' })).toEqual({ kind: 'certificate-mismatch', trunkName: 'mtls' });
    expect(directory.identify({ address: '127.0.0.10', protocol: 'tls', clientCertificate: { fingerprintSha256: '00' } }))
      .toEqual({ kind: 'certificate-mismatch', trunkName: 'mtls' });
  });

  it('matches every certificate field the trunk names', () => {
    expect(certificateMatches({ subject: 'carrier.example' }, { subject: 'carrier.example' })).toBe(true);
    expect(certificateMatches({ subject: 'carrier.example', fingerprintSha256: FINGERPRINT }, { subject: 'carrier.example' })).toBe(false);
    expect(certificateMatches({ subject: 'carrier.example' }, { subject: 'evil.example' })).toBe(false);
    expect(certificateMatches({}, { subject: 'x' })).toBe(false);
  });
});

describe('media policy', () => {
  const srtpTrunk = trunkFixture({ name: 'srtp', srtpSuites: ['AES_CM_128_HMAC_SHA1_80'] });
  const plainTrunk = trunkFixture({ name: 'plain', srtp: 'off', codecs: ['PCMA'] });

  it('needs SDES with an allowed suite on an SRTP-required trunk', () => {
    expect(srtpDecision(srtpTrunk, summariseAudioOffer(srtpOffer('127.0.0.2', 4000)))).toEqual({ ok: true });
    expect(srtpDecision(srtpTrunk, summariseAudioOffer(rtpSdp('127.0.0.2', 4000)))).toMatchObject({ ok: false, status: 488 });
    const only32 = srtpOffer('127.0.0.2', 4000).replace(/a=crypto:1 AES_CM_128_HMAC_SHA1_80[^\r]*\r\n/, '');
    expect(srtpDecision(srtpTrunk, summariseAudioOffer(only32))).toMatchObject({ ok: false, status: 488, reason: 'No Acceptable SRTP Suite' });
    expect(srtpDecision(plainTrunk, summariseAudioOffer(rtpSdp('127.0.0.2', 4000)))).toEqual({ ok: true });
  });

  it('keeps the trunk\'s codecs and refuses an offer left with no audio codec', () => {
    expect(keptCodecs(srtpTrunk, summariseAudioOffer(srtpOffer('127.0.0.2', 4000)))).toEqual(['PCMU', 'PCMA', 'telephone-event']);
    expect(codecDecision(plainTrunk, summariseAudioOffer(rtpSdp('127.0.0.4', 4000, '8 101')))).toEqual({ ok: true });
    expect(codecDecision(plainTrunk, summariseAudioOffer(rtpSdp('127.0.0.4', 4000, '0 101')))).toMatchObject({ ok: false, status: 488 });
    expect(codecDecision(plainTrunk, summariseAudioOffer(''))).toMatchObject({ ok: false, status: 488 });
  });
});

describe('CallAdmission', () => {
  it('admits up to maxConcurrentCalls, then 503 with Retry-After until a call is released', () => {
    let now = 0;
    const admission = new CallAdmission({ now: () => now, retryAfterSeconds: 7 });
    const trunk = trunkFixture({ name: 't', maxConcurrentCalls: 2, callsPerSecond: 100 });
    const first = admission.admit(trunk);
    const second = admission.admit(trunk);
    expect(first.admitted && second.admitted).toBe(true);
    expect(admission.admit(trunk)).toEqual({ admitted: false, status: 503, reason: 'Trunk Call Limit Reached', retryAfterSeconds: 7 });
    if (first.admitted) { first.release(); first.release(); }
    expect(admission.active('t')).toBe(1);
    now += 1000;
    expect(admission.admit(trunk).admitted).toBe(true);
    expect(admission.active('t')).toBe(2);
  });

  it('limits calls per second with a token bucket that refills with time', () => {
    let now = 0;
    const admission = new CallAdmission({ now: () => now });
    const trunk = trunkFixture({ name: 'r', maxConcurrentCalls: 1000, callsPerSecond: 2 });
    expect(admission.admit(trunk).admitted).toBe(true);
    expect(admission.admit(trunk).admitted).toBe(true);
    expect(admission.admit(trunk)).toMatchObject({ admitted: false, reason: 'Trunk Call Rate Exceeded' });
    now += 499;
    expect(admission.admit(trunk).admitted).toBe(false);
    now += 2;
    expect(admission.admit(trunk).admitted).toBe(true);
    now += 10_000;
    expect(admission.admit(trunk).admitted).toBe(true);
    expect(admission.admit(trunk).admitted).toBe(true);
    expect(admission.admit(trunk).admitted).toBe(false);
  });

  it('gives fractional rates a bucket of one call', () => {
    let now = 0;
    const admission = new CallAdmission({ now: () => now });
    const trunk = trunkFixture({ name: 'slow', callsPerSecond: 0.5, maxConcurrentCalls: 10 });
    expect(admission.admit(trunk).admitted).toBe(true);
    now += 1000;
    expect(admission.admit(trunk).admitted).toBe(false);
    now += 1000;
    expect(admission.admit(trunk).admitted).toBe(true);
  });
});
