import { describe, expect, it } from 'vitest';
import { EngineOptionsError, optionsFromFlags, parseContactFlag, parseScrapePort, DEFAULT_ALLOW } from './engine-options.js';

const base = { contact: ['sip:127.0.0.1:5060;transport=udp,tcp'], secret: 's', allow: [] as string[] };

describe('drachtio-server flags', () => {
  it('reads --contact like drachtio-server', () => {
    expect(parseContactFlag('sip:127.0.0.1:5070;transport=udp,tcp')).toEqual([
      { transport: 'udp', address: '127.0.0.1', port: 5070 }, { transport: 'tcp', address: '127.0.0.1', port: 5070 },
    ]);
    expect(parseContactFlag('sip:*;transport=udp')).toEqual([{ transport: 'udp', address: '0.0.0.0', port: 5060 }]);
    expect(parseContactFlag('sips:[::1]')).toEqual([{ transport: 'tls', address: '::1', port: 5061 }]);
    expect(parseContactFlag('sip:127.0.0.1')).toHaveLength(2);
  });

  it.each(['http://x', 'sip:example.com:5060', 'sip:127.0.0.1;transport=ws', 'sip:127.0.0.1:99999'])('rejects --contact %s', (value) => {
    expect(() => parseContactFlag(value)).toThrow(EngineOptionsError);
  });

  it('reads --prometheus-scrape-port with and without an address', () => {
    expect(parseScrapePort('9091', '127.0.0.1')).toEqual({ address: '127.0.0.1', port: 9091 });
    expect(parseScrapePort('127.0.0.5:9091', '127.0.0.1')).toEqual({ address: '127.0.0.5', port: 9091 });
    expect(() => parseScrapePort('abc', '127.0.0.1')).toThrow(/PORT or ADDRESS:PORT/);
  });

  it('builds listeners with the allow-list, the external address and the control port', () => {
    const run = optionsFromFlags({ ...base, port: '9030', externalIp: '192.0.2.1', allow: ['10.0.0.0/8'] });
    expect(run.listeners.map((l) => `${l.transport}/${l.address}:${l.port}`)).toEqual(['udp/127.0.0.1:5060', 'tcp/127.0.0.1:5060']);
    expect(run.listeners[0]!.publicAddress).toBe('192.0.2.1');
    expect(run.listeners[0]!.allowList.allows('10.1.2.3')).toBe(true);
    expect(run.listeners[0]!.allowList.allows('127.0.0.1')).toBe(false);
    expect(run.control).toEqual({ address: '127.0.0.1', port: 9030, secret: 's' });
    expect(run.metrics).toBeUndefined();
  });

  it('allows only loopback without --allow', () => {
    const list = optionsFromFlags(base).listeners[0]!.allowList;
    expect(list.entries).toEqual(DEFAULT_ALLOW);
    expect(list.allows('127.0.0.9')).toBe(true);
    expect(list.allows('192.0.2.1')).toBe(false);
  });

  it.each([
    [{ ...base, secret: undefined }, /--secret is required/],
    [{ ...base, contact: [] }, /at least one --contact/],
    [{ ...base, contact: ['sips:127.0.0.1'] }, /needs --cert-file and --key-file/],
    [{ ...base, certFile: 'a.pem' }, /go together/],
    [{ ...base, certFile: 'a', keyFile: 'b', minTlsVersion: '1.0' }, /1.2 or 1.3/],
    [{ ...base, allow: ['10.0.0.0/33'] }, /--allow/],
    [{ ...base, port: '0' }, /--port/],
  ])('explains bad flags (%#)', (flags, message) => {
    expect(() => optionsFromFlags(flags)).toThrow(message);
  });
});

describe('POP file', () => {
  it('gives carrier listeners only the trunks of their transport, phone listeners only the phones, and the core its own listener', async () => {
    const { loadPopConfig } = await import('../../platform/config/load-pop-config.js');
    const { optionsFromPop } = await import('./engine-options.js');
    const run = optionsFromPop(loadPopConfig('configs/pops/local.yaml'));
    const byName = new Map(run.listeners.map((listener) => [listener.name, listener]));
    expect([...byName.keys()]).toEqual(['udp', 'tcp', 'tls', 'phones-udp', 'phones-tcp', 'core']);
    expect(byName.get('udp')!.allowList.allows('127.0.0.4')).toBe(true);
    expect(byName.get('udp')!.allowList.allows('127.0.0.2')).toBe(false);
    expect(byName.get('tls')!.allowList.allows('127.0.0.2')).toBe(true);
    expect(byName.get('tcp')!.allowList.allows('127.0.0.3')).toBe(false);
    // Carrier listeners never admit the phones or the core (issue 8's contract: 127.0.0.1 on 5060 gets silence).
    for (const name of ['udp', 'tcp', 'tls']) {
      expect(byName.get(name)!.allowList.allows('127.0.0.9'), name).toBe(false);
      expect(byName.get(name)!.allowList.allows('127.0.0.1'), name).toBe(false);
    }
    expect(byName.get('phones-udp')!.allowList.allows('127.0.0.9')).toBe(true);
    expect(byName.get('phones-udp')!.allowList.allows('127.0.0.4')).toBe(false);
    expect(byName.get('phones-udp')!.allowList.allows('127.0.0.1')).toBe(false);
    const core = byName.get('core')!;
    expect(core.allowList.allows('127.0.0.1')).toBe(true);
    expect(core.allowList.allows('127.0.0.4')).toBe(false);
    expect(core.tls).toMatchObject({ verifyClientCert: true });
    expect(core.tls?.caFile).toMatch(/\.vpop\/local\/ca\/ca\.crt$/);
    expect(run.tlsClient).toMatchObject({ trustSystemRoots: true });
    expect(run.tlsClient?.certFile).toMatch(/pop\.crt$/);
    expect(byName.get('tls')!.tls?.certFile).toMatch(/pop\.crt$/);
    expect(run.control).toEqual({ address: '127.0.0.1', port: 9022, secret: 'vpop-local-secret' });
    expect(run.messageLimits?.maxMessageBytes).toBe(65_535);
  });

  it('passes sip.userAgent to the engine only when the POP file sets it', async () => {
    const { loadPopConfig } = await import('../../platform/config/load-pop-config.js');
    const { optionsFromPop } = await import('./engine-options.js');
    const local = loadPopConfig('configs/pops/local.yaml');
    expect(optionsFromPop({ ...local, sip: { ...local.sip, userAgent: undefined } }).userAgent).toBeUndefined();
    expect(optionsFromPop({ ...local, sip: { ...local.sip, userAgent: 'VPOP-edge/1.0' } }).userAgent).toBe('VPOP-edge/1.0');
  });

  it('asks TLS clients for certificates when a trunk is identified by one, and needs the CA to verify them', async () => {
    const { loadPopConfig } = await import('../../platform/config/load-pop-config.js');
    const { optionsFromPop } = await import('./engine-options.js');
    const local = loadPopConfig('configs/pops/local.yaml');
    expect(optionsFromPop(local).listeners.find((l) => l.transport === 'tls')?.tls?.requestClientCert).toBeUndefined();
    const trunks = local.trunks.map((trunk) => trunk.name === 'loopback-carrier' ? { ...trunk, clientCert: { subject: 'carrier.example' } } : trunk);
    expect(() => optionsFromPop({ ...local, trunks })).toThrow(/loopback-carrier\.clientCert: needs tls\.caFile/);
    const withCa = optionsFromPop({ ...local, trunks, tls: { ...local.tls!, caFile: '/etc/vpop/carriers-ca.pem' } });
    expect(withCa.listeners.find((l) => l.transport === 'tls')?.tls).toMatchObject({ requestClientCert: true, caFile: '/etc/vpop/carriers-ca.pem' });
  });

  it('admits the core at the socket by routingCore.allow or the sipUri host, and refuses a plain core link off loopback', async () => {
    const { loadPopConfig } = await import('../../platform/config/load-pop-config.js');
    const { corePeerCidrs, coreEngineLink, optionsFromPop } = await import('./engine-options.js');
    const local = loadPopConfig('configs/pops/local.yaml');
    expect(corePeerCidrs(local)).toEqual(['127.0.0.1/32']);
    const core = local.routingCore;
    expect(corePeerCidrs({ ...local, routingCore: { ...core, sipUri: 'sip:+1800@[::1]:5070;transport=tcp' } })).toEqual(['::1/128']);
    expect(corePeerCidrs({ ...local, routingCore: { ...core, sipUri: 'sips:core.example.net', allow: ['198.51.100.0/28'] } })).toEqual(['198.51.100.0/28']);
    expect(() => corePeerCidrs({ ...local, routingCore: { ...core, sipUri: 'sip:core.example.net:5070' } })).toThrow(/must be an IP address/);
    const plainOffLoopback = { ...local, routingCore: { ...core, listener: { name: 'core', transport: 'udp' as const, address: '192.0.2.1', port: 5062 } } };
    expect(() => optionsFromPop(plainOffLoopback)).toThrow(/only on loopback/);
    // The core's side: its TLS listener verifies the edge against the POP CA and presents its own certificate.
    const link = coreEngineLink(local);
    expect(link.listener).toMatchObject({ transport: 'tls', address: '127.0.0.1', port: 5071, tls: { verifyClientCert: true } });
    expect(link.listener.allowList.allows('127.0.0.1')).toBe(true);
    expect(link.tlsClient?.certFile).toMatch(/core\.crt$/);
  });
});
