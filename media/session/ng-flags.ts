// The ng dictionary entries for an offer or answer toward one side, from that side's
// profile and the SDP being rewritten (notes/rtpengine.md: what 10.5 does).
import { summariseAudioOffer } from '../sdp/audio-offer-summary.js';
import type { MediaSideProfile } from './media-anchor.js';

/** Every SDES suite rtpengine 10.5 knows; trimming is by "no-<suite>" for each unwanted one. */
export const RTPENGINE_SDES_SUITES = [
  'AEAD_AES_256_GCM', 'AEAD_AES_128_GCM',
  'AES_256_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_32',
  'AES_192_CM_HMAC_SHA1_80', 'AES_192_CM_HMAC_SHA1_32',
  'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32',
  'F8_128_HMAC_SHA1_80', 'F8_128_HMAC_SHA1_32',
  'NULL_HMAC_SHA1_80', 'NULL_HMAC_SHA1_32',
] as const;

export type NgFlags = Record<string, unknown>;

/** Codec names in the SDP that the side does not accept (case-insensitive). */
export function codecsToStrip(sdp: string, allowed: readonly string[]): string[] {
  const keep = new Set(allowed.map((name) => name.toLowerCase()));
  const strip = new Set<string>();
  for (const codec of summariseAudioOffer(sdp).codecs) {
    if (!keep.has(codec.toLowerCase())) strip.add(codec);
  }
  return [...strip];
}

function securityFlags(toward: MediaSideProfile): NgFlags {
  if (toward.security === 'rtp') return { 'transport-protocol': 'RTP/AVP' };
  const allowed = new Set(toward.srtpSuites);
  return {
    'transport-protocol': 'RTP/SAVP',
    DTLS: 'off',
    SDES: RTPENGINE_SDES_SUITES.filter((suite) => !allowed.has(suite)).map((suite) => `no-${suite}`),
  };
}

const COMMON: NgFlags = {
  ICE: 'remove',
  // The far side sees the anchor's address only, never the other party's origin.
  replace: ['origin', 'session-connection'],
};

export function offerFlags(sdp: string, toward: MediaSideProfile): NgFlags {
  const strip = codecsToStrip(sdp, toward.codecs);
  return {
    ...COMMON,
    ...securityFlags(toward),
    ...(strip.length > 0 ? { codec: { strip } } : {}),
  };
}

export function answerFlags(toward: MediaSideProfile): NgFlags {
  return { ...COMMON, ...securityFlags(toward) };
}
