// The drachtio wire protocol has no field for a TLS client certificate, so the engine
// tells apps about it in two headers on each request that arrived over TLS with a
// verified client certificate. Only the engine may set them: copies that came from the
// network are removed first, from every message, so a carrier cannot forge an identity.
import type { SipMessage } from '../messages/sip-message.js';
import type { MessageOrigin, PeerCertificate } from '../transport/types.js';

export const TLS_CLIENT_SHA256_HEADER = 'X-VPOP-TLS-Client-SHA256';
export const TLS_CLIENT_SUBJECT_HEADER = 'X-VPOP-TLS-Client-Subject';

/** The certificate's CN (what POP files name as a trunk's clientCert.subject), else its whole DN on one line. */
export function certificateSubjectName(certificate: PeerCertificate): string {
  const lines = certificate.subject.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const commonName = lines.find((line) => line.startsWith('CN='));
  return (commonName !== undefined ? commonName.slice(3) : lines.join(', ')).replace(/[\r\n]/g, ' ');
}

/**
 * Removes network copies of the identity headers and, for a request over TLS whose client
 * certificate the listener verified, adds the engine's own. True when the message changed
 * (its received bytes no longer match it).
 */
export function stampClientIdentity(message: SipMessage, origin: MessageOrigin): boolean {
  let changed = false;
  for (const name of [TLS_CLIENT_SHA256_HEADER, TLS_CLIENT_SUBJECT_HEADER]) {
    if (message.headers.has(name)) {
      message.headers.remove(name);
      changed = true;
    }
  }
  const certificate = origin.peerCertificate;
  if (message.kind !== 'request' || origin.transport !== 'tls' || certificate?.verified !== true) return changed;
  message.headers.append(TLS_CLIENT_SHA256_HEADER, certificate.fingerprint256);
  message.headers.append(TLS_CLIENT_SUBJECT_HEADER, certificateSubjectName(certificate));
  return true;
}
