// The media plane's control contract as the edge uses it: anchor a call's audio,
// rewrite offers and answers between a carrier side and the inside, query and release
// it. rtpengine implements it today (rtpengine-anchor.ts); a FreeSWITCH backend could
// implement the same interface later.

/** What the side that RECEIVES a rewritten SDP speaks. */
export interface MediaSideProfile {
  /** srtp: SDES-SRTP (RTP/SAVP with a=crypto); rtp: plain RTP/AVP. */
  security: 'srtp' | 'rtp';
  /** SDES suites this side may be offered (srtp only); others are removed. */
  srtpSuites: readonly string[];
  /** Codec names this side may see; others are stripped from the offer. */
  codecs: readonly string[];
}

export interface MediaOffer {
  callId: string;
  /** Tag of the party that made the offer. */
  fromTag: string;
  sdp: string;
  /** The side the rewritten offer is sent to. */
  toward: MediaSideProfile;
}

export interface MediaAnswer {
  callId: string;
  /** Tag of the party that made the offer this answers. */
  fromTag: string;
  /** Tag of the answering party. */
  toTag: string;
  sdp: string;
  /** The side the rewritten answer is sent to (the offerer). */
  toward: MediaSideProfile;
}

export interface MediaCallRef {
  callId: string;
  fromTag?: string;
}

export interface MediaStreamState {
  /** Tag of the party this stream faces. */
  tag: string;
  /** Transport profile of that party's side, e.g. RTP/SAVP. */
  protocol: string;
  rtcp: boolean;
  /** The anchor's port for this party. */
  localPort: number;
  /** Where the anchor sends this party's media (learnt or from SDP). */
  remoteAddress: string;
  remotePort: number;
  cryptoSuite?: string;
  packets: number;
}

export interface MediaCallState {
  /** Seconds since the call was created in the media anchor. */
  createdSeconds: number | undefined;
  /** Per-party packet counts received by the anchor, by tag. */
  packetsByTag: Record<string, number>;
  streams: MediaStreamState[];
}

export interface MediaAnchor {
  /** Rewrite an offer; returns the SDP to send on to the other side. */
  offer(offer: MediaOffer): Promise<string>;
  /** Rewrite an answer; returns the SDP to send back to the offerer. */
  answer(answer: MediaAnswer): Promise<string>;
  /** Release the call's media. Never throws: failure paths call it unconditionally. */
  delete(ref: MediaCallRef): Promise<void>;
  query(ref: MediaCallRef): Promise<MediaCallState | undefined>;
  /** Number of calls the anchor holds now. */
  activeCalls(): Promise<number>;
  /** Call-IDs the anchor holds now. */
  callIds(): Promise<string[]>;
  /** Seconds since the anchor (re)started: a call older than that was lost in a restart. */
  uptimeSeconds(): Promise<number>;
  close(): void;
}

/** The media anchor refused or failed a command; `reason` is the backend's text. */
export class MediaAnchorError extends Error {
  constructor(readonly command: string, readonly reason: string) {
    super(`media anchor ${command} failed: ${reason}`);
    this.name = 'MediaAnchorError';
  }
}
