// Parse one complete SIP message (a UDP datagram or a message the stream framer
// has cut out) into a SipRequest or SipResponse (RFC 3261 §7, §25).
//
// Speed: one native scan for the end of the header section, one UTF-8 decode of
// it, then index arithmetic per line. Header values stay raw strings; only the
// headers every message must carry (Via, From, To, Call-ID, CSeq, Contact,
// Content-Length, Max-Forwards) are checked against their grammar, because a
// message that fails them must be answered with 400 here rather than deep in
// the transaction or dialog layer (RFC 4475 §3.1.2).

import { SipHeaders, SipRequest, SipResponse, type SipMessage } from './sip-message.js';
import { SipParseError, type SipParseStatus } from './sip-parse-error.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from './message-limits.js';
import { Failure, fail } from './parse-failure.js';
import { collectHead, newCollected, partialOf, recoverRemaining, type Collected } from './header-section.js';
import { validate } from './message-validation.js';

export type { MessageLimits } from './message-limits.js';

function toError(failure: Failure, collected: Collected): SipParseError {
  if (collected.resumeAt >= 0 && collected.start?.kind === 'request') recoverRemaining(collected);
  let status: SipParseStatus | undefined;
  if (failure.status === 'request-default') status = collected.start?.kind === 'request' ? 400 : undefined;
  else status = collected.start?.kind === 'request' ? failure.status : undefined;
  return withoutStack(() => new SipParseError(failure.reason, status, partialOf(collected)));
}

/**
 * Build an error without capturing a stack trace: bad input is routine (scanners,
 * attacks), the stack says nothing about it, and capturing it was the largest
 * single cost of rejecting a message.
 */
function withoutStack<T>(build: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Parse one complete SIP message. The body is a view into `data` (no copy):
 * sliced by Content-Length when present (extra bytes are ignored, RFC 3261
 * §18.3), the rest of the data otherwise. A Content-Length larger than the
 * bytes present is an error. Throws SipParseError and nothing else.
 */
export function parseSipMessage(data: Buffer, limits?: Partial<MessageLimits>): SipMessage {
  const effective: MessageLimits = limits ? { ...DEFAULT_MESSAGE_LIMITS, ...limits } : DEFAULT_MESSAGE_LIMITS;
  const collected = newCollected();
  try {
    if (data.length > effective.maxMessageBytes) {
      // Recover what we can from the start so that a 513 can still be answered.
      try {
        collectHead(data.subarray(0, effective.maxMessageBytes), effective, collected, true);
      } catch {
        // best effort only
      }
      fail(`message of ${data.length} bytes exceeds the ${effective.maxMessageBytes}-byte limit`, 513);
    }
    const bodyStart = collectHead(data, effective, collected, false);
    const contentLength = validate(collected);
    const available = data.length - bodyStart;
    if (contentLength > available) {
      fail(`Content-Length ${contentLength} exceeds the ${available} body bytes received`);
    }
    const body = data.subarray(bodyStart, contentLength === -1 ? data.length : bodyStart + contentLength);
    const headers = new SipHeaders();
    for (let i = 0; i < collected.names.length; i++) {
      headers.appendCanonical(collected.names[i]!, collected.keys[i]!, collected.values[i]!);
    }
    const start = collected.start!;
    return start.kind === 'request'
      ? new SipRequest(start.method, start.uri, headers, body, start.version)
      : new SipResponse(start.status, start.reason, headers, body, start.version);
  } catch (error) {
    if (error instanceof Failure) throw toError(error, collected);
    if (error instanceof SipParseError) throw error;
    // A bug in the grammar must not take the engine down; report it as unparseable.
    throw new SipParseError(`internal parser error: ${(error as Error)?.message ?? String(error)}`, undefined, partialOf(collected));
  }
}
