// The TLS client certificate of a request, as the engine reports it to apps.
//
// The drachtio wire protocol has no field for it, so the engine adds two headers to
// requests received over TLS with a verified client certificate, after removing any
// header of the same names that came from the network (only the engine may set them;
// edge/engine/tls-client-identity).
import type { ClientCertificateIdentity } from './policy/trunk-identification.js';
import type { SbcRequest } from './srf-types.js';

import { TLS_CLIENT_SHA256_HEADER, TLS_CLIENT_SUBJECT_HEADER } from '../engine/tls-client-identity/client-identity-headers.js';

export function clientCertificateOf(req: SbcRequest): ClientCertificateIdentity | undefined {
  if (req.protocol !== 'tls') return undefined;
  const fingerprintSha256 = req.get(TLS_CLIENT_SHA256_HEADER);
  const subject = req.get(TLS_CLIENT_SUBJECT_HEADER);
  if (fingerprintSha256 === undefined && subject === undefined) return undefined;
  return {
    ...(fingerprintSha256 !== undefined ? { fingerprintSha256 } : {}),
    ...(subject !== undefined ? { subject } : {}),
  };
}
