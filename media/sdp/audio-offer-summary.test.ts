import { describe, expect, it } from 'vitest';
import { isSecureProfile, summariseAudioOffer } from './audio-offer-summary.js';
import { rtpSdp, srtpOffer } from '../testing/sample-sdp.js';

describe('summariseAudioOffer', () => {
  it('reads protocol, crypto suites and codecs of an SRTP offer, static types included', () => {
    expect(summariseAudioOffer(srtpOffer('127.0.0.2', 4000))).toEqual({
      protocol: 'RTP/SAVP',
      cryptoSuites: ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'],
      codecs: ['PCMU', 'PCMA', 'G722', 'G729', 'telephone-event'],
    });
  });

  it('names static payload types without rtpmap and ignores unknown dynamic ones', () => {
    const sdp = 'v=0\r\nm=audio 4000 RTP/AVP 8 0 96\r\n';
    expect(summariseAudioOffer(sdp)).toEqual({ protocol: 'RTP/AVP', cryptoSuites: [], codecs: ['PCMA', 'PCMU'] });
  });

  it('reads only the first audio section and ignores video crypto', () => {
    const sdp = [rtpSdp('127.0.0.1', 4000, '0'), 'm=video 5000 RTP/SAVP 96', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x', ''].join('\r\n');
    expect(summariseAudioOffer(sdp)).toEqual({ protocol: 'RTP/AVP', cryptoSuites: [], codecs: ['PCMU'] });
  });

  it('has no protocol without an audio section', () => {
    expect(summariseAudioOffer('v=0\r\n').protocol).toBeUndefined();
    expect(summariseAudioOffer('').codecs).toEqual([]);
  });

  it('tells secure profiles apart', () => {
    expect(isSecureProfile('RTP/SAVP')).toBe(true);
    expect(isSecureProfile('UDP/TLS/RTP/SAVPF')).toBe(true);
    expect(isSecureProfile('RTP/AVP')).toBe(false);
    expect(isSecureProfile(undefined)).toBe(false);
  });
});
