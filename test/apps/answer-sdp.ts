/** The SDP the test apps answer or offer with: PCMU and telephone-event on loopback. */
export function appSdp(version = 1): string {
  return [
    'v=0',
    `o=vpop-app 4242 ${version} IN IP4 127.0.0.1`,
    's=VPOP test app',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 40000 RTP/AVP 0 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}
