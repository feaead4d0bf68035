import { describe, expect, it } from 'vitest';
import { popConfigSchema, type PopConfigInput } from '../../../platform/config/pop-schema.js';
import { CoreIdentity } from './core-identification.js';

function pop(listener: NonNullable<PopConfigInput['routingCore']['listener']>): ReturnType<typeof popConfigSchema.parse> {
  return popConfigSchema.parse({
    pop: { id: 'unit', region: 'lab' },
    sip: { listeners: [{ name: 'udp', transport: 'udp', address: '127.0.0.1', port: 5060 }] },
    engine: { secret: 's' },
    rtpengine: { httpPort: 9101, interfaces: [{ name: 'lo', address: '127.0.0.1' }], portMin: 30000, portMax: 30099 },
    routingCore: {
      sipUri: 'sips:198.51.100.50:5071', listener, caFile: 'ca.pem',
      certificate: { subject: 'core.unit', fingerprintSha256: 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99' },
    },
    ops: { port: 9090 },
    stateDir: 'state',
  });
}

const CORE_CERT = { subject: 'core.unit', fingerprintSha256: 'aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99' };

describe('CoreIdentity', () => {
  const tls = new CoreIdentity(pop({ transport: 'tls', address: '198.51.100.10', port: 5062 }), ['198.51.100.50/32']);

  it('knows the core on the internal listener by its certificate, whatever its address', () => {
    expect(tls.identify({ receivedOn: '198.51.100.10:5062', address: '203.0.113.99', protocol: 'tls', clientCertificate: CORE_CERT })).toEqual({ kind: 'core' });
  });

  it('refuses anyone else on the internal listener, the core\'s address included', () => {
    expect(tls.identify({ receivedOn: '198.51.100.10:5062', address: '198.51.100.50', protocol: 'tls', clientCertificate: undefined }).kind).toBe('impostor');
    expect(tls.identify({ receivedOn: '198.51.100.10:5062', address: '198.51.100.50', protocol: 'tls', clientCertificate: { ...CORE_CERT, subject: 'carrier' } }).kind).toBe('impostor');
    expect(tls.identify({ receivedOn: '198.51.100.10:5062', address: '198.51.100.50', protocol: 'tls', clientCertificate: { subject: 'core.unit' } }).kind).toBe('impostor');
  });

  it('never treats a request on another listener as the core\'s, even with the core\'s address and certificate', () => {
    expect(tls.identify({ receivedOn: '198.51.100.10:5060', address: '198.51.100.50', protocol: 'udp', clientCertificate: undefined })).toEqual({ kind: 'elsewhere' });
    expect(tls.identify({ receivedOn: '198.51.100.10:5061', address: '198.51.100.50', protocol: 'tls', clientCertificate: CORE_CERT })).toEqual({ kind: 'elsewhere' });
    expect(tls.identify({ receivedOn: undefined, address: '198.51.100.50', protocol: 'tls', clientCertificate: CORE_CERT })).toEqual({ kind: 'elsewhere' });
  });

  it('on a plain loopback link, knows the core by the listener and its allowed source', () => {
    const plain = new CoreIdentity(pop({ transport: 'udp', address: '::1', port: 5062 }), ['::1/128']);
    expect(plain.identify({ receivedOn: '[::1]:5062', address: '::1', protocol: 'udp', clientCertificate: undefined })).toEqual({ kind: 'core' });
    expect(plain.identify({ receivedOn: '::1:5062', address: '::1', protocol: 'tcp', clientCertificate: undefined }).kind).toBe('impostor');
  });
});
