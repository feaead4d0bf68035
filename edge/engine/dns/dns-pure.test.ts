import { describe, expect, it } from 'vitest';
import { selectNaptrServices } from './naptr-selection.js';
import { orderSrvRecords } from './srv-ordering.js';
import { TtlCache } from './ttl-cache.js';
import { parseUriLocation } from './uri-location.js';

describe('orderSrvRecords (RFC 2782)', () => {
  const record = (name: string, priority: number, weight: number) => ({ name, port: 5060, priority, weight });

  it('orders by ascending priority and drops the "." target', () => {
    const ordered = orderSrvRecords([record('c', 30, 5), record('.', 1, 5), record('a', 10, 5), record('b', 20, 5)], () => 0);
    expect(ordered.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('selects within a priority by running weight sum against the random draw', () => {
    const records = [record('w10', 1, 10), record('w30', 1, 30), record('w60', 1, 60)];
    // total 100, draws: 0.5*101 → 50 → w60 (10,40,100); then remaining 40: 0.5*41 → 20 → w30.
    expect(orderSrvRecords(records, () => 0.5).map((r) => r.name)).toEqual(['w60', 'w30', 'w10']);
    expect(orderSrvRecords(records, () => 0).map((r) => r.name)).toEqual(['w10', 'w30', 'w60']);
  });

  it('puts zero-weight records first in the draw so they can still be picked first', () => {
    const records = [record('heavy', 1, 50), record('zero', 1, 0)];
    expect(orderSrvRecords(records, () => 0).map((r) => r.name)).toEqual(['zero', 'heavy']);
    expect(orderSrvRecords(records, () => 0.9).map((r) => r.name)).toEqual(['heavy', 'zero']);
  });

  it('distributes first picks roughly by weight', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const first = orderSrvRecords([record('a', 1, 75), record('b', 1, 25)], random)[0]!.name;
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    expect(counts.get('a')! / 4000).toBeGreaterThan(0.7);
    expect(counts.get('a')! / 4000).toBeLessThan(0.8);
  });
});

describe('selectNaptrServices (RFC 3263 §4.1)', () => {
  const naptr = (order: number, preference: number, service: string, replacement: string, flags = 's') =>
    ({ order, preference, service, replacement, flags, regexp: '' });

  it('keeps supported terminal SIP services in order/preference order', () => {
    const services = selectNaptrServices(
      [naptr(20, 10, 'SIP+D2U', '_sip._udp.x.'), naptr(10, 20, 'SIP+D2T', '_sip._tcp.x'), naptr(10, 10, 'SIPS+D2T', '_sips._tcp.x'),
        naptr(1, 1, 'SIP+D2S', '_sip._sctp.x'), naptr(1, 1, 'E2U+sip', 'y'), naptr(1, 1, 'SIP+D2U', 'z', 'a')],
      false, ['udp', 'tcp', 'tls'],
    );
    expect(services).toEqual([
      { transport: 'tls', srvName: '_sips._tcp.x' },
      { transport: 'tcp', srvName: '_sip._tcp.x' },
      { transport: 'udp', srvName: '_sip._udp.x' },
    ]);
  });

  it('allows only TLS for sips and only supported transports', () => {
    const records = [naptr(10, 10, 'SIP+D2U', 'u'), naptr(20, 10, 'SIPS+D2T', 's')];
    expect(selectNaptrServices(records, true, ['udp', 'tcp', 'tls'])).toEqual([{ transport: 'tls', srvName: 's' }]);
    expect(selectNaptrServices(records, false, ['tcp'])).toEqual([]);
  });
});

describe('TtlCache', () => {
  it('expires entries by their own TTL and ignores TTL 0', () => {
    let now = 0;
    const cache = new TtlCache<string>(10, () => now);
    cache.set('a', 'A', 1);
    cache.set('b', 'B', 10);
    cache.set('zero', 'Z', 0);
    expect(cache.get('a')).toBe('A');
    expect(cache.get('zero')).toBeUndefined();
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('B');
  });

  it('evicts the oldest entry beyond its bound', () => {
    const cache = new TtlCache<number>(2, () => 0);
    cache.set('1', 1, 60);
    cache.set('2', 2, 60);
    cache.set('3', 3, 60);
    expect(cache.size).toBe(2);
    expect(cache.get('1')).toBeUndefined();
    expect(cache.get('3')).toBe(3);
  });
});

describe('parseUriLocation', () => {
  it('reads scheme, host, port, transport and maddr', () => {
    expect(parseUriLocation('sip:alice;x=y:pw@Example.test:5070;transport=TCP;lr?subject=x')).toEqual({
      secure: false, host: 'Example.test', port: 5070, transportParam: 'tcp', numeric: false,
    });
    expect(parseUriLocation('"Bob" <sips:[::1]:5071>;tag=1')).toEqual({
      secure: true, host: '::1', port: 5071, transportParam: undefined, numeric: true,
    });
    expect(parseUriLocation('sip:h.test;maddr=127.0.0.5')?.host).toBe('127.0.0.5');
  });

  it('rejects other schemes and malformed hosts or ports', () => {
    for (const bad of ['tel:+1555', 'sip:', 'sip:h:0', 'sip:h:70000', 'sip:h:5x', 'sip:[::1', 'sip:[zz]', 'sip:a b', '<sip:x']) {
      expect(parseUriLocation(bad), bad).toBeUndefined();
    }
  });
});
