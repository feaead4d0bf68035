// Why a call ended, as the CDR records it: one name per way a call can end, with the
// Q.850 cause a telecom engineer reads (RFC 3326 Reason header values). The SIP side
// (final status, reason phrase) is recorded beside it.

export type CallEndCause =
  /** A party hung up (BYE from the carrier, the core or the phone). */
  | 'normal-clearing'
  /** The call was refused before a session started: policy or overload (403/404/488/503...). */
  | 'refused'
  /** The callee side answered the INVITE with a failure, or it timed out. */
  | 'not-answered'
  /** The caller cancelled before answer. */
  | 'cancelled'
  /** rtpengine could not anchor the offer. */
  | 'media-unavailable'
  /** RFC 4028: a session was not refreshed (by the peer), or our refresh failed. */
  | 'session-timer'
  /** rtpengine ended the call after its no-media timeout. */
  | 'media-timeout'
  /** rtpengine lost the call: it restarted without it, or stayed unreachable. */
  | 'media-lost'
  /** The trunk's maximum call duration was reached. */
  | 'max-duration'
  /** The engine no longer holds the call's dialogs (engine restart, control connection lost). */
  | 'engine-lost'
  /** The SBC that held the call died; its successor closed the record at start. */
  | 'sbc-restart'
  /** The SBC was stopped with the call up. */
  | 'sbc-shutdown';

/** Q.850 cause value of each end (ITU-T Q.850 table 1). */
export const Q850: Record<CallEndCause, number> = {
  'normal-clearing': 16,
  refused: 21,            // call rejected
  'not-answered': 31,     // normal, unspecified (the SIP status says more)
  cancelled: 16,
  'media-unavailable': 47, // resource unavailable, unspecified
  'session-timer': 102,   // recovery on timer expiry
  'media-timeout': 102,
  'media-lost': 41,       // temporary failure
  'max-duration': 16,     // cleared by local policy; normal clearing toward both parties
  'engine-lost': 41,
  'sbc-restart': 41,
  'sbc-shutdown': 41,
};

/** The Reason header the SBC puts on BYEs it sends for an end of its own (RFC 3326). */
export function reasonHeader(cause: CallEndCause): string {
  return `Q.850;cause=${Q850[cause]};text="${cause}"`;
}
