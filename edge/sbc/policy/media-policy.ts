// A trunk's SRTP and codec rules applied to the carrier's SDP offer. Pure: the
// decision, the status and the reason the carrier gets.
import type { TrunkConfig } from '../../../platform/config/pop-schema.js';
import { isSecureProfile, type AudioOfferSummary } from '../../../media/sdp/audio-offer-summary.js';

export type PolicyDecision = { ok: true } | { ok: false; status: number; reason: string; headers?: Record<string, string> };

const ACCEPT: PolicyDecision = { ok: true };

/** srtp required: the offer must be RTP/SAVP with a=crypto of a suite the trunk allows. */
export function srtpDecision(trunk: TrunkConfig, offer: AudioOfferSummary): PolicyDecision {
  if (trunk.srtp !== 'required') return ACCEPT;
  if (!isSecureProfile(offer.protocol) || offer.cryptoSuites.length === 0) {
    return { ok: false, status: 488, reason: 'SRTP Required' };
  }
  const allowed = new Set<string>(trunk.srtpSuites);
  if (!offer.cryptoSuites.some((suite) => allowed.has(suite))) {
    return { ok: false, status: 488, reason: 'No Acceptable SRTP Suite' };
  }
  return ACCEPT;
}

/** Codecs of the offer the trunk keeps (case-insensitive), in offer order. */
export function keptCodecs(trunk: TrunkConfig, offer: AudioOfferSummary): string[] {
  const allowed = new Set(trunk.codecs.map((codec) => codec.toLowerCase()));
  return offer.codecs.filter((codec) => allowed.has(codec.toLowerCase()));
}

/** 488 when no audio codec is left after stripping (telephone-event alone carries no audio). */
export function codecDecision(trunk: TrunkConfig, offer: AudioOfferSummary): PolicyDecision {
  if (offer.protocol === undefined) return { ok: false, status: 488, reason: 'No Audio Offered' };
  const audio = keptCodecs(trunk, offer).filter((codec) => codec.toLowerCase() !== 'telephone-event');
  return audio.length > 0 ? ACCEPT : { ok: false, status: 488, reason: 'No Acceptable Codec' };
}
