import { describe, expect, it } from 'vitest';
import { formatVia, parseTopVia, parseVia, parseViaList } from './via.js';

describe('parseVia', () => {
  it('parses sent-protocol, sent-by and the well-known params', () => {
    expect(parseVia('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK77;received=10.0.0.1;rport=5070')).toEqual({
      protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.1', port: 5060,
      params: new Map([['branch', 'z9hG4bK77'], ['received', '10.0.0.1'], ['rport', '5070']]),
      branch: 'z9hG4bK77', received: '10.0.0.1', rport: 5070,
    });
  });

  it('reports rport without a value as true (RFC 3581 request form)', () => {
    expect(parseVia('SIP/2.0/TCP host;rport;branch=z9hG4bKx')?.rport).toBe(true);
  });

  it('tolerates LWS around / ; = and :, and lower-case transports', () => {
    expect(parseVia('SIP  /   2.0 /udp   host.example.com : 5080  ; branch =  z9hG4bK1')).toMatchObject({
      transport: 'UDP', host: 'host.example.com', port: 5080, branch: 'z9hG4bK1',
    });
  });

  it('handles IPv6 sent-by with and without a port', () => {
    expect(parseVia('SIP/2.0/TLS [2001:db8::9:1]:5061;branch=z9hG4bKa')).toMatchObject({ host: '[2001:db8::9:1]', port: 5061 });
    expect(parseVia('SIP/2.0/WSS [::1];branch=z9hG4bKa')).toMatchObject({ host: '[::1]', transport: 'WSS' });
  });

  it.each([
    'SIP/2.0/UDP', 'SIP/2.0 host', 'SIP/3.0/UDP host', 'HTTP/2.0/UDP host', 'SIP/2.0/UDP host;;', 'SIP/2.0/UDP host;branch=',
    'SIP/2.0/UDP host:99999', 'SIP/2.0/UDP [::1', 'SIP/2.0/UDP host;rport=abc', 'SIP/2.0/UDPhost', '',
  ])('rejects %j', (value) => {
    expect(parseVia(value)).toBeUndefined();
  });
});

describe('Via lists', () => {
  it('parseViaList splits comma-joined values', () => {
    expect(parseViaList('SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/TCP b:5060;branch=z9hG4bK2')?.map((v) => v.host)).toEqual(['a', 'b']);
    expect(parseViaList('SIP/2.0/UDP 192.0.2.15;;,;,,')).toBeUndefined();
  });

  it('parseTopVia reads only the first element', () => {
    expect(parseTopVia('SIP/2.0/UDP a;branch=z9hG4bK1, garbage')?.host).toBe('a');
  });
});

describe('formatVia', () => {
  it('writes branch/received/rport fields over the params map', () => {
    const via = parseVia('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx;rport')!;
    via.received = '192.0.2.7';
    via.rport = 40000;
    expect(formatVia(via)).toBe('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx;rport=40000;received=192.0.2.7');
    expect(parseVia(formatVia(via))).toMatchObject({ rport: 40000, received: '192.0.2.7' });
  });
});
