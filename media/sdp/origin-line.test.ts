import { describe, expect, it } from 'vitest';
import { hideOriginIdentity } from './origin-line.js';

describe('hideOriginIdentity', () => {
  const sdp = 'v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n';

  it('replaces the user name and session id, keeping version and address', () => {
    const hidden = hideOriginIdentity(sdp, 'vpop');
    expect(hidden).toMatch(/^o=vpop [1-9]\d* 2353687637 IN IP4 127\.0\.0\.1\r$/m);
    expect(hidden).not.toContain('user1');
    expect(hidden).not.toContain('53655765');
    expect(hidden.split('\r\n').slice(2)).toEqual(sdp.split('\r\n').slice(2));
  });

  it('maps one session id to one masked id, so re-offers keep it', () => {
    const first = /^o=\S+ (\S+)/m.exec(hideOriginIdentity(sdp, 'vpop'))![1];
    const again = /^o=\S+ (\S+)/m.exec(hideOriginIdentity(sdp.replace('2353687637', '2353687638'), 'vpop'))![1];
    const other = /^o=\S+ (\S+)/m.exec(hideOriginIdentity(sdp.replace('53655765', '1'), 'vpop'))![1];
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('leaves SDP without an o= line alone', () => {
    expect(hideOriginIdentity('v=0\r\n', 'vpop')).toBe('v=0\r\n');
  });
});
