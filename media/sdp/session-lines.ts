// Session-level SDP lines that describe the party rather than the media: the session
// name (s=, e.g. "VPOP stand-in core (echo)" or a PBX product name), its information,
// URI, e-mail and phone (i=, u=, e=, p=). rtpengine passes them through, so the anchor
// neutralises them in every SDP it hands on (issue 7: topology hiding covers s= too).
const IDENTIFYING_LINE = /^[iuep]=.*(\r?\n|$)/gm;

export function hideSessionDescription(sdp: string): string {
  // RFC 4566 §5.3: s= is mandatory and may not be empty; "-" says there is no name.
  return sdp.replace(/^s=.*$/m, 's=-').replace(IDENTIFYING_LINE, '');
}
