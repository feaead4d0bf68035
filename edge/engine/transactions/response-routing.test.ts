import { describe, expect, it } from 'vitest';
import { parseViaParm, type TopVia } from './header-fields.js';
import { SipHeaders, SipRequest } from '../messages/sip-message.js';
import { responseDestination, stampReceived } from './response-routing.js';
import type { MessageOrigin } from './transaction-transport.js';

const via = (text: string): TopVia => parseViaParm(text)!;
const from = (transport: 'udp' | 'tcp' | 'tls', connectionId?: string): MessageOrigin => ({
  transport,
  remoteAddress: '127.0.0.7',
  remotePort: 40_000,
  localAddress: '127.0.0.1',
  localPort: 5060,
  listenerName: 'l',
  ...(connectionId ? { connectionId } : {}),
});

describe('responseDestination (§18.2.2, RFC 3581)', () => {
  it('UDP without rport: source address, sent-by port or 5060', () => {
    expect(responseDestination(via('SIP/2.0/UDP host.example:5099;branch=z9hG4bK1'), from('udp'), false)).toEqual({
      transport: 'udp', address: '127.0.0.7', port: 5099,
    });
    expect(responseDestination(via('SIP/2.0/UDP host.example;branch=z9hG4bK1'), from('udp'), false).port).toBe(5060);
  });

  it('UDP with rport: source address and source port', () => {
    expect(responseDestination(via('SIP/2.0/UDP host.example:5099;rport;branch=z9hG4bK1'), from('udp'), false)).toEqual({
      transport: 'udp', address: '127.0.0.7', port: 40_000,
    });
  });

  it('maddr: that address with the sent-by port', () => {
    expect(responseDestination(via('SIP/2.0/UDP h:5070;maddr=127.0.0.9;branch=z9hG4bK1'), from('udp'), false)).toEqual({
      transport: 'udp', address: '127.0.0.9', port: 5070,
    });
  });

  it('TCP/TLS: the same connection, with the source address and sent-by port (5061 for TLS) to reconnect', () => {
    expect(responseDestination(via('SIP/2.0/TLS h;branch=z9hG4bK1'), from('tls', 'tls-1'), true)).toEqual({
      transport: 'tls', address: '127.0.0.7', port: 5061, connectionId: 'tls-1',
    });
    expect(responseDestination(via('SIP/2.0/TCP h:5080;branch=z9hG4bK1'), from('tcp'), true)).toEqual({
      transport: 'tcp', address: '127.0.0.7', port: 40_000,
    });
  });
});

describe('stampReceived (§18.2.1, RFC 3581 §4)', () => {
  function requestWithVia(value: string): SipRequest {
    return new SipRequest('OPTIONS', 'sip:a@127.0.0.1', new SipHeaders([{ name: 'Via', value }]));
  }

  it('adds received when the sent-by differs from the source, and fills rport; keeps the rest of a joined line', () => {
    const req = requestWithVia('SIP/2.0/UDP h.example:5070;rport;branch=z9hG4bK1, SIP/2.0/UDP up.example;branch=z9hG4bK0');
    const stamped = stampReceived(req, via('SIP/2.0/UDP h.example:5070;rport;branch=z9hG4bK1'), from('udp'));
    expect(req.headers.getAll('Via')).toEqual([
      'SIP/2.0/UDP h.example:5070;rport=40000;branch=z9hG4bK1;received=127.0.0.7, SIP/2.0/UDP up.example;branch=z9hG4bK0',
    ]);
    expect(stamped).toMatchObject({ received: '127.0.0.7', rport: 40_000 });
  });

  it('leaves a Via alone when sent-by is the source address, or when already stamped', () => {
    const plain = 'SIP/2.0/UDP 127.0.0.7:5070;branch=z9hG4bK1';
    const req = requestWithVia(plain);
    stampReceived(req, via(plain), from('udp'));
    expect(req.headers.get('Via')).toBe(plain);
    const done = 'SIP/2.0/UDP h:5070;rport=1234;received=127.0.0.9;branch=z9hG4bK1';
    const again = requestWithVia(done);
    stampReceived(again, via(done), from('udp'));
    expect(again.headers.get('Via')).toBe(done);
  });
});
