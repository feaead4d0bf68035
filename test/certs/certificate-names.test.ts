import { describe, expect, it } from 'vitest';
import { normaliseCertificateNames } from '../../certs/certificate-names.js';
import { CertificateError } from '../../certs/certificate-error.js';

describe('normaliseCertificateNames', () => {
  it('lower-cases DNS names, compresses IPv6 and removes duplicates', () => {
    expect(normaliseCertificateNames({
      commonName: ' sip.example.net ',
      dnsNames: ['SIP.Example.net', 'sip.example.net', '*.pops.example.net'],
      ipAddresses: ['2001:DB8:0:0:0:0:0:A', '2001:db8::a', '192.0.2.10'],
    })).toEqual({
      commonName: 'sip.example.net',
      dnsNames: ['sip.example.net', '*.pops.example.net'],
      ipAddresses: ['2001:db8::a', '192.0.2.10'],
    });
  });

  it('names the entry it refuses', () => {
    const names = { commonName: 'pop', dnsNames: [] as string[], ipAddresses: [] as string[] };
    expect(() => normaliseCertificateNames({ ...names, dnsNames: ['bad_name.example'] })).toThrow(/"bad_name.example" is not a DNS name/);
    expect(() => normaliseCertificateNames({ ...names, ipAddresses: ['127.1'] })).toThrow(/"127.1" is not an IPv4/);
    expect(() => normaliseCertificateNames({ ...names, commonName: ' ' })).toThrow(CertificateError);
    expect(() => normaliseCertificateNames({ ...names, commonName: 'x'.repeat(65) })).toThrow(/1-64 characters/);
  });
});
