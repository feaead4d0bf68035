// The parser's internal failure signal: thrown by the checks, turned into a
// SipParseError (with the partial message) once, at the top of parseSipMessage.
// It is not an Error, so throwing it captures no stack trace.

import type { SipParseStatus } from './sip-parse-error.js';

/** A status, 'request-default' (400 for a recognised request, none for a response), or none (drop). */
export type FailureStatus = SipParseStatus | 'request-default' | undefined;

export class Failure {
  constructor(readonly reason: string, readonly status: FailureStatus) {}
}

export function fail(reason: string, status: FailureStatus = 'request-default'): never {
  throw new Failure(reason, status);
}

