// The engine's overload limits: a per-source message rate (source-rate-limit.ts) and global
// ceilings on live transactions and dialogs. Above a ceiling a new request outside any dialog
// is answered 503 with Retry-After, before any transaction state exists; requests inside a
// dialog always pass, so calls that are up can still be ended.
import type { SipRequest } from '../messages/sip-message.js';

export interface OverloadLimits {
  /** Messages per second from one source address before it is blocked; 0 disables. */
  perSourceMessagesPerSecond: number;
  /** How long a source above the rate gets silence. */
  blockSeconds: number;
  /** Live transactions (client and server) above which new requests get 503; 0 disables. */
  maxTransactions: number;
  /** Live dialogs above which new INVITEs and SUBSCRIBEs get 503; 0 disables. */
  maxDialogs: number;
  /** Retry-After of those 503s. */
  retryAfterSeconds: number;
}

export const DEFAULT_OVERLOAD_LIMITS: OverloadLimits = {
  // Well above what one carrier or the routing core sends at the edge's full call rate (~5 messages a call).
  perSourceMessagesPerSecond: 5000,
  blockSeconds: 10,
  maxTransactions: 100_000,
  maxDialogs: 50_000,
  retryAfterSeconds: 5,
};

export type CeilingName = 'transactions' | 'dialogs';

/** The ceiling a new request outside a dialog would break, or undefined when it may proceed. */
export function ceilingBroken(
  request: SipRequest,
  live: { transactions: number; dialogs: number },
  limits: Pick<OverloadLimits, 'maxTransactions' | 'maxDialogs'>,
): CeilingName | undefined {
  if (limits.maxTransactions > 0 && live.transactions >= limits.maxTransactions) return 'transactions';
  const createsDialog = request.method === 'INVITE' || request.method === 'SUBSCRIBE';
  if (createsDialog && limits.maxDialogs > 0 && live.dialogs >= limits.maxDialogs) return 'dialogs';
  return undefined;
}
