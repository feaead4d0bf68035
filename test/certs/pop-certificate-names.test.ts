import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPopConfig } from '../../platform/config/load-pop-config.js';
import type { PopConfig, SipListenerConfig } from '../../platform/config/pop-schema.js';
import { popCertificateNames } from '../../certs/pop-certificate-names.js';
import { repoRoot } from '../support/repo-root.js';

const local = loadPopConfig(join(repoRoot, 'configs/pops/local.yaml'), { checkFiles: false });

/** The pure function only reads pop.id and the listeners, so other fields stay local.yaml's. */
function popWithListeners(listeners: Omit<SipListenerConfig, 'role'>[]): PopConfig {
  return {
    ...local,
    sip: { ...local.sip, listeners: listeners.map((listener) => ({ ...listener, role: 'carriers' as const })) },
    routingCore: { ...local.routingCore, listener: { name: 'core', transport: 'udp', address: '127.0.0.1', port: 5062 } },
  };
}

describe('popCertificateNames', () => {
  it('names the local POP by its TLS listener address', () => {
    expect(popCertificateNames(local)).toEqual({ commonName: 'local', organization: 'VPOP local', dnsNames: [], ipAddresses: ['127.0.0.1'] });
  });

  it('covers bound and public addresses of every TLS listener, IPv4 and IPv6, and no plain listener', () => {
    const pop = loadPopConfig(join(repoRoot, 'configs/pops/nyc1-a.yaml'), { checkFiles: false });
    expect(popCertificateNames(pop)).toEqual({
      commonName: 'nyc1-a',
      organization: 'VPOP nyc1-a',
      dnsNames: [],
      ipAddresses: ['198.51.100.10', '203.0.113.10', '2001:db8:10::a'],
    });
  });

  it('takes a public host name as DNS name and common name, and skips wildcard binds', () => {
    const pop = popWithListeners([
      { name: 'tls', transport: 'tls', address: '0.0.0.0', port: 5061, publicAddress: 'SIP.pop1.Example.net' },
      { name: 'tls6', transport: 'tls', address: '::', port: 5061, publicAddress: '2001:DB8:0::10' },
      { name: 'udp', transport: 'udp', address: '192.0.2.99', port: 5060 },
    ]);
    expect(popCertificateNames(pop)).toEqual({
      commonName: 'sip.pop1.example.net',
      organization: 'VPOP local',
      dnsNames: ['sip.pop1.example.net'],
      ipAddresses: ['2001:db8::10'],
    });
  });

  it('names the core listener too when the core link is mutual TLS (the core verifies the edge by it)', () => {
    const pop = popWithListeners([{ name: 'tls', transport: 'tls', address: '192.0.2.10', port: 5061 }]);
    const withTlsCore = { ...pop, routingCore: { ...pop.routingCore, listener: { name: 'core', transport: 'tls' as const, address: '198.51.100.10', port: 5062 } } };
    expect(popCertificateNames(withTlsCore).ipAddresses).toEqual(['192.0.2.10', '198.51.100.10']);
  });

  it('uses every listener when the POP has no TLS listener (its certificate then serves as a TLS client)', () => {
    const pop = popWithListeners([{ name: 'tcp', transport: 'tcp', address: '127.0.0.1', port: 5060, publicAddress: '192.0.2.7' }]);
    expect(popCertificateNames(pop).ipAddresses).toEqual(['127.0.0.1', '192.0.2.7']);
  });
});
