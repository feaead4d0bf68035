// The one error the message parser throws. It carries enough for the layer
// above to decide between answering (a 4xx/5xx built from `partial`, RFC 3261
// §8.2 and §16.3) and dropping the message silently.

/**
 * Status a UAS should answer with when a response can be formed:
 * 400 malformed, 414 Request-URI too long, 505 SIP version not supported,
 * 513 message too large. Absent when no response makes sense (responses,
 * garbage that is not SIP at all).
 */
export type SipParseStatus = 400 | 413 | 414 | 416 | 505 | 513;

/** Header values recovered before the error was found, raw as they arrived. */
export interface PartialMessage {
  kind?: 'request' | 'response';
  method?: string;
  callId?: string;
  /** Every Via header line, in arrival order (a 400 must copy them all). */
  via?: string[];
  cseq?: string;
  from?: string;
  to?: string;
}

export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  readonly status: SipParseStatus | undefined;
  readonly reason: string;
  readonly partial: PartialMessage | undefined;

  constructor(reason: string, status?: SipParseStatus, partial?: PartialMessage) {
    super(reason);
    this.reason = reason;
    this.status = status;
    this.partial = partial;
  }

  /**
   * True when a response can be built: a request whose Via, From, To, Call-ID
   * and CSeq were recovered (RFC 3261 §8.2.6.2 copies them into the response).
   */
  get canRespond(): boolean {
    const p = this.partial;
    return (
      this.status !== undefined &&
      p?.kind === 'request' &&
      p.via !== undefined && p.via.length > 0 &&
      p.callId !== undefined && p.cseq !== undefined &&
      p.from !== undefined && p.to !== undefined
    );
  }
}
