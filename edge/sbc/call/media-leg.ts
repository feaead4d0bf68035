// One call's media on the anchor: the caller's side and the callee's, each with its profile.
// Offers and answers are rewritten toward the side that receives them; release() is safe
// to call on every path and more than once.
import type { MediaAnchor, MediaSideProfile } from '../../../media/session/media-anchor.js';
import type { TrunkConfig } from '../../../platform/config/pop-schema.js';

export function carrierProfile(trunk: TrunkConfig): MediaSideProfile {
  return { security: trunk.srtp === 'off' ? 'rtp' : 'srtp', srtpSuites: trunk.srtpSuites, codecs: trunk.codecs };
}

/** Inside the POP media is plain RTP with the trunk's codecs. */
export function insideProfile(trunk: TrunkConfig): MediaSideProfile {
  return { security: 'rtp', srtpSuites: [], codecs: trunk.codecs };
}

/** Agents' phones on the POP's loopback/LAN: plain RTP, G.711 and RFC 4733 events. */
export const PHONE_PROFILE: MediaSideProfile = { security: 'rtp', srtpSuites: [], codecs: ['PCMU', 'PCMA', 'telephone-event'] };

export type MediaSide = 'caller' | 'callee';

export class MediaLeg {
  private released = false;
  private readonly tags: Record<MediaSide, string | undefined>;

  constructor(
    private readonly anchor: MediaAnchor,
    private readonly callId: string,
    private readonly profiles: Record<MediaSide, MediaSideProfile>,
    callerTag: string,
  ) {
    this.tags = { caller: callerTag, callee: undefined };
  }

  /** Learn the callee's tag (the To tag of its answer). */
  setCalleeTag(tag: string): void {
    this.tags.callee = tag;
  }

  /** An offer from `from`; returns the SDP for the other side. */
  async offer(from: MediaSide, sdp: string): Promise<string> {
    return this.anchor.offer({ callId: this.callId, fromTag: this.tagOf(from), sdp, toward: this.profiles[other(from)] });
  }

  /** The answer by `from` to the other side's offer; returns the SDP for the offerer. */
  async answer(from: MediaSide, sdp: string): Promise<string> {
    const offerer = other(from);
    return this.anchor.answer({
      callId: this.callId, fromTag: this.tagOf(offerer), toTag: this.tagOf(from), sdp, toward: this.profiles[offerer],
    });
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.anchor.delete({ callId: this.callId });
  }

  private tagOf(side: MediaSide): string {
    const tag = this.tags[side];
    if (tag === undefined) throw new Error(`media leg ${this.callId}: the ${side} tag is not known yet`);
    return tag;
  }
}

function other(side: MediaSide): MediaSide {
  return side === 'caller' ? 'callee' : 'caller';
}
