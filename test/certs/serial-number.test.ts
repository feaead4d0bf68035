import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomSerialNumber, serialNumberFromBytes } from '../../certs/serial-number.js';

describe('serialNumberFromBytes', () => {
  it('keeps 16 bytes whose top bit is clear as they are', () => {
    expect(serialNumberFromBytes(Buffer.from('7f'.padEnd(32, 'a'), 'hex'))).toBe('7f'.padEnd(32, 'a'));
  });

  it('prefixes a zero byte when the top bit is set, so the INTEGER stays positive', () => {
    const serial = serialNumberFromBytes(Buffer.from('80'.padEnd(32, '1'), 'hex'));
    expect(serial).toBe(`0080${'1'.repeat(30)}`);
  });

  it('never starts with a zero byte (non-minimal DER) and is never zero', () => {
    expect(serialNumberFromBytes(Buffer.alloc(16))).toBe(`01${'0'.repeat(30)}`);
  });

  it('refuses anything but 16 bytes', () => {
    expect(() => serialNumberFromBytes(Buffer.alloc(8))).toThrow(/16 random bytes/);
  });

  it('gives distinct random serials', () => {
    const serials = new Set(Array.from({ length: 200 }, () => randomSerialNumber()));
    expect(serials.size).toBe(200);
    for (const serial of serials) expect(serial).toMatch(/^([1-7][0-9a-f]|0[1-9a-f]|008|009|00[a-f])[0-9a-f]+$/);
  });

  it('survives a round trip through a real certificate parser', async () => {
    const { createCertificateAuthority } = await import('../../certs/certificate-authority.js');
    const ca = createCertificateAuthority({ commonName: 'Serial CA', keyBits: 2048 });
    const parsed = new X509Certificate(ca.certificatePem).serialNumber.toLowerCase();
    expect(ca.certificate.serialNumber.replace(/^00/, '')).toBe(parsed.replace(/^00/, ''));
  });
});
