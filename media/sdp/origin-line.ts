// The o= line's user name and session id name the far party's SDP stack and session;
// rtpengine 10.5 replaces only the o= address ("origin-full" came later). The anchor
// rewrites both: a fixed user name, and a session id derived from the original one so
// that re-offers from the same party keep one id (RFC 4566 §5.2) and the version stays
// the party's own, still increasing.
import { createHash } from 'node:crypto';

export function hideOriginIdentity(sdp: string, username: string): string {
  return sdp.replace(/^o=(\S+) (\S+) (\S+ .*)$/m, (_line, _user: string, sessionId: string, rest: string) =>
    `o=${username} ${maskedSessionId(sessionId)} ${rest}`);
}

function maskedSessionId(sessionId: string): string {
  // 15 decimal digits: fits a 64-bit NTP-style id and never starts with 0.
  const digest = createHash('sha256').update(sessionId).digest();
  return String(1 + (digest.readUIntBE(0, 6) % 899_999_999_999_999));
}
