// One datagram of rtpengine's DTMF log socket (--dtmf-log-dest): a JSON object sent when
// an RFC 4733 digit ends (notes/rtpengine.md). Anything else on the socket is ignored.

export interface DtmfEvent {
  callId: string;
  /** Tag of the party that sent the digit. */
  sourceTag: string;
  /** 0-9, *, #, A-D. */
  digit: string;
  durationMs: number;
}

const DIGITS = '0123456789*#ABCD';

/** The digit a telephone-event code stands for (RFC 4733: 10 = *, 11 = #, 12-15 = A-D). */
function digitOfEvent(event: number): string | undefined {
  return Number.isInteger(event) && event >= 0 && event < DIGITS.length ? DIGITS[event] : undefined;
}

export function parseDtmfLogDatagram(datagram: Buffer): DtmfEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(datagram.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  if (record.type !== undefined && record.type !== 'DTMF') return undefined;
  const { callid: callId, source_tag: sourceTag, event, duration } = record;
  if (typeof callId !== 'string' || typeof sourceTag !== 'string' || typeof event !== 'number') return undefined;
  const digit = digitOfEvent(event);
  if (digit === undefined) return undefined;
  return { callId, sourceTag, digit, durationMs: typeof duration === 'number' ? duration : 0 };
}
