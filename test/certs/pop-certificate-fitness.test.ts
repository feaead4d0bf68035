import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPopConfig } from '../../platform/config/load-pop-config.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { createCertificateAuthority, type CertificateAuthority } from '../../certs/certificate-authority.js';
import { createCertificateRequest } from '../../certs/certificate-request.js';
import { issueCertificate } from '../../certs/issue-certificate.js';
import { popCertificateFitnessProblems } from '../../certs/pop-certificate-fitness.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../certs/rsa-key-pair.js';
import { repoRoot } from '../support/repo-root.js';

const DAY = 86_400_000;
const local = loadPopConfig(join(repoRoot, 'configs/pops/local.yaml'), { checkFiles: false });
const pop: PopConfig = {
  ...local,
  sip: {
    ...local.sip,
    listeners: [
      { name: 'tls', transport: 'tls', address: '0.0.0.0', port: 5061, publicAddress: 'sip.pop1.example.net', role: 'carriers' },
      { name: 'tls6', transport: 'tls', address: '2001:db8::10', port: 5061, role: 'carriers' },
    ],
  },
  // A plain core link: the certificate names only the carrier listeners here.
  routingCore: { ...local.routingCore, listener: { name: 'core', transport: 'udp', address: '127.0.0.1', port: 5062 } },
};
let ca: CertificateAuthority;
let keyPair: RsaKeyPair;

function certificate(names: { dnsNames: string[]; ipAddresses: string[] }, days = 365): X509Certificate {
  const request = createCertificateRequest(keyPair, { commonName: 'pop1', ...names });
  return new X509Certificate(issueCertificate({ ca, request, days }));
}

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'Fitness CA', keyBits: 2048 });
  keyPair = generateRsaKeyPair(2048);
});

describe('popCertificateFitnessProblems', () => {
  const now = (): Date => new Date();

  it('passes a certificate naming every TLS listener, by exact name or wildcard', () => {
    expect(popCertificateFitnessProblems(pop, certificate({ dnsNames: ['sip.pop1.example.net'], ipAddresses: ['2001:db8::10'] }), { now: now(), minDaysLeft: 30 })).toEqual([]);
    expect(popCertificateFitnessProblems(pop, certificate({ dnsNames: ['*.pop1.example.net'], ipAddresses: ['2001:db8:0::10'] }), { now: now(), minDaysLeft: 30 })).toEqual([]);
  });

  it('names each address and host name the certificate does not cover', () => {
    expect(popCertificateFitnessProblems(pop, certificate({ dnsNames: ['old.pop1.example.net'], ipAddresses: ['192.0.2.1'] }), { now: now(), minDaysLeft: 30 })).toEqual([
      'does not name IP 2001:db8::10, an address of a TLS listener',
      'does not name sip.pop1.example.net, a public host name of a TLS listener',
    ]);
  });

  it('warns ahead of expiry, and reports an expired or not yet valid certificate', () => {
    const shortLived = certificate({ dnsNames: ['sip.pop1.example.net'], ipAddresses: ['2001:db8::10'] }, 10);
    expect(popCertificateFitnessProblems(pop, shortLived, { now: now(), minDaysLeft: 9 })).toEqual([]);
    expect(popCertificateFitnessProblems(pop, shortLived, { now: now(), minDaysLeft: 30 })).toEqual([
      expect.stringMatching(/^expires on .*, in (9|10) days \(less than 30\); rotate it$/),
    ]);
    expect(popCertificateFitnessProblems(pop, shortLived, { now: new Date(Date.now() + 11 * DAY), minDaysLeft: 0 })).toEqual([
      expect.stringMatching(/^expired on /),
    ]);
    expect(popCertificateFitnessProblems(pop, shortLived, { now: new Date(Date.now() - DAY), minDaysLeft: 0 })).toEqual([
      expect.stringMatching(/^is not valid before /),
    ]);
  });
});
