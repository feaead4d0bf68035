import { describe, expect, it } from 'vitest';
import { SipHeaders, SipRequest, SipResponse } from '../messages/sip-message.js';
import type { MessageOrigin, PeerCertificate } from '../transport/types.js';
import { certificateSubjectName, stampClientIdentity } from './client-identity-headers.js';

const certificate: PeerCertificate = { fingerprint256: 'AA:BB', subject: 'C=US\nO=Carrier\nCN=sbc.carrier.example', issuer: 'CN=CA', verified: true };
const origin = (transport: 'tls' | 'tcp', peer?: PeerCertificate): MessageOrigin => ({
  transport, remoteAddress: '127.0.0.2', remotePort: 5061, localAddress: '127.0.0.1', localPort: 5061, listenerName: 'tls', ...(peer ? { peerCertificate: peer } : {}),
});
const forged = (): SipRequest => new SipRequest('INVITE', 'sip:1@127.0.0.1', new SipHeaders([
  { name: 'x-vpop-tls-client-subject', value: 'forged' }, { name: 'X-VPOP-TLS-Client-SHA256', value: '00:11' },
]));

describe('TLS client identity headers', () => {
  it('replaces forged headers with the verified certificate of a TLS request', () => {
    const request = forged();
    expect(stampClientIdentity(request, origin('tls', certificate))).toBe(true);
    expect(request.headers.getAll('X-VPOP-TLS-Client-SHA256')).toEqual(['AA:BB']);
    expect(request.headers.getAll('X-VPOP-TLS-Client-Subject')).toEqual(['sbc.carrier.example']);
  });

  it('only removes them without a verified certificate, over TCP, and from responses', () => {
    for (const [message, from] of [
      [forged(), origin('tls', { ...certificate, verified: false })],
      [forged(), origin('tls')],
      [forged(), origin('tcp', certificate)],
      [new SipResponse(200, 'OK', new SipHeaders([{ name: 'X-VPOP-TLS-Client-Subject', value: 'forged' }])), origin('tls', certificate)],
    ] as const) {
      expect(stampClientIdentity(message, from)).toBe(true);
      expect(message.headers.has('X-VPOP-TLS-Client-Subject')).toBe(false);
      expect(message.headers.has('X-VPOP-TLS-Client-SHA256')).toBe(false);
    }
    expect(stampClientIdentity(new SipRequest('OPTIONS', 'sip:1@h'), origin('tcp'))).toBe(false);
  });

  it('names the subject by its CN, or the whole DN on one line without one', () => {
    expect(certificateSubjectName({ ...certificate, subject: 'O=Carrier\nOU=Voice' })).toBe('O=Carrier, OU=Voice');
  });
});
