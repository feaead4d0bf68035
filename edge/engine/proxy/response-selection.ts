// Response handling rules of a stateful proxy, RFC 3261 §16.7: which responses go
// upstream at once, which final response is "best" once every branch is done, and
// challenge aggregation for 401/407.

import { SipResponse } from '../messages/sip-message.js';

/** A final response held in the response context; synthesized ones stand for timeouts and transport errors. */
export interface CandidateResponse {
  response: SipResponse;
  synthesized: boolean;
}

/** §16.7 step 5: provisionals other than 100 and every 2xx go upstream immediately. */
export function forwardsImmediately(status: number): boolean {
  return (status > 100 && status < 200) || (status >= 200 && status < 300);
}

// 4xx responses that tell the caller how to retry (§16.7 step 6).
const INFORMATIVE_4XX = new Set([401, 407, 415, 420, 484]);

/** Lower is better. */
function rank(candidate: CandidateResponse): number {
  const status = candidate.response.status;
  if (status >= 600) return 0;
  if (status < 300) return 1;
  const classRank = Math.floor(status / 100) * 10; // 30, 40, 50
  const informative = INFORMATIVE_4XX.has(status) ? 0 : 1;
  return classRank + informative * 2 + (candidate.synthesized ? 1 : 0);
}

/**
 * §16.7 step 6: a 6xx wins, else the lowest class; informative 4xx before other
 * 4xx; a real response before a synthesized one; otherwise the earliest.
 */
export function selectBestResponse(candidates: readonly CandidateResponse[]): CandidateResponse | undefined {
  let best: CandidateResponse | undefined;
  for (const candidate of candidates) {
    if (candidate.response.status < 200) continue;
    if (!best || rank(candidate) < rank(best)) best = candidate;
  }
  return best;
}

function copyResponse(response: SipResponse): SipResponse {
  return new SipResponse(response.status, response.reason, response.headers.clone(), response.body, response.version);
}

/**
 * The response to send upstream for the selected one: §16.7 step 7 collects every
 * WWW-Authenticate/Proxy-Authenticate from all 401/407 responses into a selected
 * 401/407; step 6 turns a 503 into a 500 (the 503 concerned the next hop, not us).
 */
export function upstreamFinalResponse(selected: SipResponse, all: readonly CandidateResponse[]): SipResponse {
  const response = copyResponse(selected);
  if (response.status === 503) {
    response.status = 500;
    response.reason = 'Server Internal Error';
    response.headers.remove('Retry-After');
  }
  if (response.status === 401 || response.status === 407) {
    for (const name of ['WWW-Authenticate', 'Proxy-Authenticate']) {
      const collected = all
        .filter((candidate) => candidate.response.status === 401 || candidate.response.status === 407)
        .flatMap((candidate) => candidate.response.headers.getAll(name));
      const unique = [...new Set(collected)];
      response.headers.remove(name);
      for (const value of unique) response.headers.append(name, value);
    }
  }
  return response;
}
