import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipServerLocator } from './sip-server-locator.js';
import { startDnsmasq, type RunningDnsmasq } from './test-support/dnsmasq.js';

// A fake carrier zone served by a real dnsmasq on loopback; every name resolves to loopback.
const ZONE = {
  domain: 'carrier.test',
  probeName: 'plain.carrier.test',
  naptr: [
    'carrier.test,5,50,s,SIP+D2S,,_sip._sctp.carrier.test',
    'carrier.test,8,50,u,E2U+sip,!^.*$!sip:x@carrier.test!,',
    'carrier.test,10,50,s,SIPS+D2T,,_sips._tcp.carrier.test',
    'carrier.test,30,50,s,SIP+D2U,,_sip._udp.carrier.test',
    'carrier.test,20,50,s,SIP+D2T,,_sip._tcp.carrier.test',
  ],
  srv: [
    '_sips._tcp.carrier.test,tls1.carrier.test,5061,10,0',
    '_sip._tcp.carrier.test,tcp1.carrier.test,5070,10,60',
    '_sip._tcp.carrier.test,tcp2.carrier.test,5071,10,40',
    '_sip._tcp.carrier.test,tcp3.carrier.test,5072,20,0',
    '_sip._udp.carrier.test,udp1.carrier.test,5080,10,0',
    '_sip._sctp.carrier.test,tcp1.carrier.test,5090,10,0',
    '_sip._udp.srvonly.carrier.test,udp1.carrier.test,5081,10,0',
    '_sip._tcp.srvonly.carrier.test,tcp1.carrier.test,5091,10,0',
  ],
  hosts: [
    'tls1.carrier.test,127.0.0.2,300',
    'tcp1.carrier.test,127.0.0.3,300',
    'tcp2.carrier.test,127.0.0.4,300',
    'tcp3.carrier.test,127.0.0.5,300',
    'udp1.carrier.test,127.0.0.6,::1,300',
    'plain.carrier.test,127.0.0.7,300',
    'v6only.carrier.test,::1,300',
  ],
};

describe('SipServerLocator against a real DNS server (dnsmasq on loopback)', () => {
  let dns: RunningDnsmasq;
  beforeAll(async () => {
    dns = await startDnsmasq(ZONE);
  });
  afterAll(async () => {
    await dns?.stop();
  });

  const locator = (random: () => number = () => 0) =>
    new SipServerLocator({ servers: [dns.server], timeoutMs: 300, tries: 1, random });

  it('follows NAPTR (order, supported services only) then SRV (priority, weight) then A/AAAA', async () => {
    expect(await locator(() => 0).locate('sip:+15551234@carrier.test')).toEqual([
      { transport: 'tls', address: '127.0.0.2', port: 5061 },
      { transport: 'tcp', address: '127.0.0.4', port: 5071 },
      { transport: 'tcp', address: '127.0.0.3', port: 5070 },
      { transport: 'tcp', address: '127.0.0.5', port: 5072 },
      { transport: 'udp', address: '127.0.0.6', port: 5080 },
      { transport: 'udp', address: '::1', port: 5080 },
    ]);
  });

  it('draws SRV records of equal priority by weight (RFC 2782) with the injected random source', async () => {
    // Weights 40 (5071) then 60 (5070): a draw of 99 of 0..100 passes the running sum
    // only at the second record; a draw of 30 stops at the first.
    const high = await locator(() => 0.99).locate('sip:carrier.test;transport=tcp');
    expect(high.map((target) => target.port)).toEqual([5070, 5071, 5072]);
    const low = await locator(() => 0.3).locate('sip:carrier.test;transport=tcp');
    expect(low.map((target) => target.port)).toEqual([5071, 5070, 5072]);
  });

  it('uses only SIPS+D2T (TLS) for a sips URI', async () => {
    expect(await locator().locate('sips:carrier.test')).toEqual([{ transport: 'tls', address: '127.0.0.2', port: 5061 }]);
  });

  it('falls back to SRV per transport when the domain has no NAPTR', async () => {
    expect(await locator().locate('sip:alice@srvonly.carrier.test')).toEqual([
      { transport: 'udp', address: '127.0.0.6', port: 5081 },
      { transport: 'udp', address: '::1', port: 5081 },
      { transport: 'tcp', address: '127.0.0.3', port: 5091 },
    ]);
  });

  it('falls back to A/AAAA on the default port when there is neither NAPTR nor SRV', async () => {
    expect(await locator().locate('sip:plain.carrier.test')).toEqual([{ transport: 'udp', address: '127.0.0.7', port: 5060 }]);
    expect(await locator().locate('sips:plain.carrier.test')).toEqual([{ transport: 'tls', address: '127.0.0.7', port: 5061 }]);
    expect(await locator().locate('sip:v6only.carrier.test')).toEqual([{ transport: 'udp', address: '::1', port: 5060 }]);
  });

  it('with an explicit port queries only A/AAAA, using the transport parameter', async () => {
    expect(await locator().locate('<sip:bob@udp1.carrier.test:5099;transport=TCP>')).toEqual([
      { transport: 'tcp', address: '127.0.0.6', port: 5099 },
      { transport: 'tcp', address: '::1', port: 5099 },
    ]);
  });

  it('uses numeric hosts directly with default ports and transports', async () => {
    const l = locator();
    expect(await l.locate('sip:127.0.0.9')).toEqual([{ transport: 'udp', address: '127.0.0.9', port: 5060 }]);
    expect(await l.locate('sips:[::1]')).toEqual([{ transport: 'tls', address: '::1', port: 5061 }]);
    expect(await l.locate('sip:u@127.0.0.9:5062;transport=tcp')).toEqual([{ transport: 'tcp', address: '127.0.0.9', port: 5062 }]);
    expect(await l.locate('sips:u@127.0.0.9;transport=tcp')).toEqual([{ transport: 'tls', address: '127.0.0.9', port: 5061 }]);
    expect(await l.locate('sip:u@carrier.test;maddr=127.0.0.10')).toEqual([{ transport: 'udp', address: '127.0.0.10', port: 5060 }]);
  });

  it('returns no targets for NXDOMAIN, impossible transports and non-SIP URIs', async () => {
    const l = locator();
    expect(await l.locate('sip:nope.carrier.test')).toEqual([]);
    expect(await l.locate('sips:127.0.0.9;transport=udp')).toEqual([]);
    expect(await l.locate('sip:127.0.0.9;transport=sctp')).toEqual([]);
    expect(await l.locate('tel:+15551234')).toEqual([]);
    expect(await l.locate('sip:')).toEqual([]);
  });

  it('limits transports to the supported set', async () => {
    const l = new SipServerLocator({ servers: [dns.server], timeoutMs: 300, tries: 1, random: () => 0, supportedTransports: ['udp'] });
    expect(await l.locate('sip:carrier.test')).toEqual([
      { transport: 'udp', address: '127.0.0.6', port: 5080 },
      { transport: 'udp', address: '::1', port: 5080 },
    ]);
    expect(await l.locate('sips:carrier.test')).toEqual([]);
  });
});

describe('SipServerLocator caching', () => {
  it('serves answers from cache until their TTL passes, then asks DNS again', async () => {
    const dns = await startDnsmasq({
      domain: 'cache.test',
      probeName: 'short.cache.test',
      srv: ['_sip._udp.srv.cache.test,long.cache.test,5070,10,0'],
      hosts: ['short.cache.test,127.0.0.2,5', 'long.cache.test,127.0.0.3,600'],
    });
    let now = 1_000_000;
    const locator = new SipServerLocator({
      servers: [dns.server], timeoutMs: 200, tries: 1, now: () => now, recordTtlSeconds: 60,
    });
    try {
      expect(await locator.locate('sip:short.cache.test')).toEqual([{ transport: 'udp', address: '127.0.0.2', port: 5060 }]);
      expect(await locator.locate('sip:srv.cache.test')).toEqual([{ transport: 'udp', address: '127.0.0.3', port: 5070 }]);
    } finally {
      await dns.stop();
    }
    // The server is gone: only the cache can answer now.
    expect(await locator.locate('sip:short.cache.test')).toEqual([{ transport: 'udp', address: '127.0.0.2', port: 5060 }]);
    now += 6_000; // past the 5 s A-record TTL
    expect(await locator.locate('sip:short.cache.test')).toEqual([]);
    expect(await locator.locate('sip:srv.cache.test')).toEqual([{ transport: 'udp', address: '127.0.0.3', port: 5070 }]);
    now += 60_000; // past the SRV record lifetime
    expect(await locator.locate('sip:srv.cache.test')).toEqual([]);
  });
});
