import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../../certs/certificate-authority.js';
import { registerCertificateExpiryGauge } from '../../certs/certificate-expiry-metric.js';

const dir = mkdtempSync(join(tmpdir(), 'vpop-expiry-metric-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vpop_tls_certificate_expiry_timestamp_seconds', () => {
  it('reports each file\'s notAfter at scrape time, follows a replaced file, and 0 for a broken one', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const first = createCertificateAuthority({ commonName: 'First', keyBits: 2048, days: 30, now });
    const second = createCertificateAuthority({ commonName: 'Second', keyBits: 2048, days: 60, now });
    const popFile = join(dir, 'pop.crt');
    const brokenFile = join(dir, 'broken.crt');
    writeFileSync(popFile, first.certificatePem);
    writeFileSync(brokenFile, 'not a certificate\n');
    const registry = new Registry();
    registerCertificateExpiryGauge({ registry, certificates: [{ role: 'pop', file: popFile }, { role: 'ca', file: brokenFile }] });
    const day = 86_400;
    const base = now.getTime() / 1000;

    expect(await registry.metrics()).toContain(`vpop_tls_certificate_expiry_timestamp_seconds{role="pop",file="${popFile}"} ${base + 30 * day}`);
    expect(await registry.metrics()).toContain(`vpop_tls_certificate_expiry_timestamp_seconds{role="ca",file="${brokenFile}"} 0`);
    writeFileSync(popFile, second.certificatePem);
    expect(await registry.metrics()).toContain(`vpop_tls_certificate_expiry_timestamp_seconds{role="pop",file="${popFile}"} ${base + 60 * day}`);
  });
});
