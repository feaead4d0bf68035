import { describe, expect, it } from 'vitest';
import { hideSessionDescription } from './session-lines.js';

describe('hideSessionDescription', () => {
  const sdp = [
    'v=0', 'o=vpop 1 2 IN IP4 127.0.0.1', 's=VPOP stand-in core (echo)', 'i=Inside PBX 4.2',
    'u=http://pbx.inside.example/', 'e=ops@inside.example', 'p=+1 555 123 4567',
    'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'i=agent leg', 'a=rtpmap:0 PCMU/8000', '',
  ].join('\r\n');

  it('replaces the session name with "-" and drops i=, u=, e= and p= lines', () => {
    expect(hideSessionDescription(sdp)).toBe([
      'v=0', 'o=vpop 1 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
      'm=audio 4000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', '',
    ].join('\r\n'));
  });

  it('keeps attribute lines that merely contain the letters (a=ice-ufrag:..., a=sendrecv)', () => {
    const plain = 'v=0\r\ns=-\r\nt=0 0\r\na=sendrecv\r\na=ice-ufrag:e=1\r\n';
    expect(hideSessionDescription(plain)).toBe(plain);
  });
});
