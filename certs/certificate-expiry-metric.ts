// Prometheus figures for certificate expiry, read from the files at every scrape so a
// rotation shows up without a restart. Ops alert on
//   vpop_tls_certificate_expiry_timestamp_seconds - time() < 30 * 86400
// An unreadable or unparsable file reports 0 (long expired), so the same alert fires
// instead of the series silently disappearing.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';

export interface WatchedCertificate {
  /** What the certificate is for, e.g. "pop" (tls.certFile), "ca" (tls.caFile). */
  role: string;
  file: string;
}

export function registerCertificateExpiryGauge(options: { registry: Registry; certificates: readonly WatchedCertificate[] }): Gauge<'role' | 'file'> {
  const certificates = [...options.certificates];
  return new Gauge({
    name: 'vpop_tls_certificate_expiry_timestamp_seconds',
    help: 'notAfter of the first certificate in each TLS file, as a Unix time; 0 when the file cannot be read or parsed',
    labelNames: ['role', 'file'],
    registers: [options.registry],
    collect() {
      this.reset();
      for (const { role, file } of certificates) this.labels(role, file).set(notAfterSeconds(file));
    },
  });
}

function notAfterSeconds(file: string): number {
  try {
    return Math.floor(new Date(new X509Certificate(readFileSync(file)).validTo).getTime() / 1000);
  } catch {
    return 0;
  }
}
