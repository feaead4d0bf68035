// The TLS client certificate of a request, as the engine reports it to apps.
//
// The drachtio wire protocol has no field for it, so the engine adds two headers to
// requests received over TLS with a verified client certificate, after removing any
// header of the same names that came from the network (only the engine may set them).
import type { ClientCertificateIdentity } from './policy/trunk-identification.js';
import type { SbcRequest } from './srf-types.js';

export const CLIENT_CERT_FINGERPRINT_HEADER = 'X-VPOP-TLS-Client-SHA256';
export const CLIENT_CERT_SUBJECT_HEADER = 'X-VPOP-TLS-Client-Subject';

export function clientCertificateOf(req: SbcRequest): ClientCertificateIdentity | undefined {
  if (req.protocol !== 'tls') return undefined;
  const fingerprintSha256 = req.get(CLIENT_CERT_FINGERPRINT_HEADER);
  const subject = req.get(CLIENT_CERT_SUBJECT_HEADER);
  if (fingerprintSha256 === undefined && subject === undefined) return undefined;
  return {
    ...(fingerprintSha256 !== undefined ? { fingerprintSha256 } : {}),
    ...(subject !== undefined ? { subject } : {}),
  };
}
