// What policy needs to know about an SDP offer's audio: its transport profile, the SDES
// crypto suites it offers and the codec names of its payload types. A reader, not an SDP
// library: rtpengine rewrites the SDP; the edge only decides from it.

export interface AudioOfferSummary {
  /** The m=audio line's protocol, e.g. RTP/AVP or RTP/SAVP; undefined without m=audio. */
  protocol: string | undefined;
  /** Suites of a=crypto lines in the audio section, in offer order. */
  cryptoSuites: string[];
  /** Codec names (as in rtpmap, or the RFC 3551 static name), in offer order. */
  codecs: string[];
}

/** RFC 3551 static payload types that may appear without an rtpmap. */
const STATIC_PAYLOAD_TYPES: Readonly<Record<string, string>> = {
  '0': 'PCMU', '3': 'GSM', '4': 'G723', '8': 'PCMA', '9': 'G722', '18': 'G729',
};

export function summariseAudioOffer(sdp: string): AudioOfferSummary {
  const lines = sdp.split(/\r?\n/);
  let inAudio = false;
  let seenAudio = false;
  let protocol: string | undefined;
  let payloadTypes: string[] = [];
  const rtpmap = new Map<string, string>();
  const cryptoSuites: string[] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) {
      // Only the first audio section counts: the edge anchors one audio stream.
      inAudio = !seenAudio && line.startsWith('m=audio ');
      if (inAudio) {
        seenAudio = true;
        const fields = line.slice(2).trim().split(/\s+/);
        protocol = fields[2];
        payloadTypes = fields.slice(3);
      }
      continue;
    }
    if (!inAudio) continue;
    const map = /^a=rtpmap:(\d+)\s+([^/\s]+)/.exec(line);
    if (map) rtpmap.set(map[1]!, map[2]!);
    const crypto = /^a=crypto:\d+\s+(\S+)/.exec(line);
    if (crypto) cryptoSuites.push(crypto[1]!);
  }
  const codecs = payloadTypes
    .map((pt) => rtpmap.get(pt) ?? STATIC_PAYLOAD_TYPES[pt])
    .filter((name): name is string => name !== undefined);
  return { protocol, cryptoSuites, codecs };
}

/** True for RTP/SAVP, RTP/SAVPF and their UDP/TLS variants. */
export function isSecureProfile(protocol: string | undefined): boolean {
  return protocol !== undefined && /SAVP/i.test(protocol);
}
