import { describe, expect, it } from 'vitest';
import { nextHopUri, numericTarget } from './next-hop.js';

describe('next hop of UA-core requests', () => {
  it('resolves numeric hosts without DNS, with RFC 3261 default ports and transports', () => {
    expect(numericTarget('sip:bob@127.0.0.1')).toEqual({ transport: 'udp', address: '127.0.0.1', port: 5060 });
    expect(numericTarget('sip:127.0.0.1:5070;transport=TCP')).toEqual({ transport: 'tcp', address: '127.0.0.1', port: 5070 });
    expect(numericTarget('sips:[::1]')).toEqual({ transport: 'tls', address: '::1', port: 5061 });
    expect(numericTarget('sip:carrier.example.com')).toBeUndefined();
    expect(numericTarget('sip:127.0.0.1;transport=sctp')).toBeNull();
    expect(numericTarget('mailto:x')).toBeNull();
  });

  it('uses the first route of a loose-routing route set', () => {
    expect(nextHopUri('sip:bob@127.0.0.9', ['<sip:127.0.0.2:5080;lr>', '<sip:127.0.0.3;lr>'])).toBe('sip:127.0.0.2:5080;lr');
    expect(nextHopUri('sip:bob@127.0.0.9', [])).toBe('sip:bob@127.0.0.9');
  });
});
