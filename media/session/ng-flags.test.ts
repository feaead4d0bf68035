import { describe, expect, it } from 'vitest';
import { answerFlags, codecsToStrip, offerFlags, RTPENGINE_SDES_SUITES } from './ng-flags.js';
import { rtpSdp, srtpOffer } from '../testing/sample-sdp.js';

describe('ng flags', () => {
  it('strips codecs the side does not accept, case-insensitively', () => {
    expect(codecsToStrip(srtpOffer('127.0.0.2', 4000), ['pcmu', 'TELEPHONE-EVENT'])).toEqual(['PCMA', 'G722', 'G729']);
    expect(codecsToStrip(rtpSdp('127.0.0.1', 4000, '0'), ['PCMU'])).toEqual([]);
  });

  it('toward an RTP side asks for RTP/AVP and no codec entry when nothing is stripped', () => {
    expect(offerFlags(rtpSdp('127.0.0.1', 4000, '0 101'), { security: 'rtp', srtpSuites: [], codecs: ['PCMU', 'telephone-event'] })).toEqual({
      ICE: 'remove', replace: ['origin', 'session-connection'], 'transport-protocol': 'RTP/AVP',
    });
  });

  it('toward an SRTP side turns DTLS off and removes every suite not listed', () => {
    const flags = offerFlags(rtpSdp('127.0.0.1', 4000, '0 8'), { security: 'srtp', srtpSuites: ['AES_CM_128_HMAC_SHA1_80'], codecs: ['PCMU'] });
    expect(flags['transport-protocol']).toBe('RTP/SAVP');
    expect(flags.DTLS).toBe('off');
    expect(flags.SDES).toHaveLength(RTPENGINE_SDES_SUITES.length - 1);
    expect(flags.SDES).not.toContain('no-AES_CM_128_HMAC_SHA1_80');
    expect(flags.codec).toEqual({ strip: ['PCMA'] });
    expect(answerFlags({ security: 'srtp', srtpSuites: ['AES_CM_128_HMAC_SHA1_80'], codecs: [] })).not.toHaveProperty('codec');
  });
});
