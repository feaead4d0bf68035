// Known SIP scanners get silence: the engine drops their requests after parsing and
// before the transaction layer (no 100 Trying, no transaction state, no answer), as
// drachtio-server does with <spammers action="discard">. An app cannot do this: by the
// time a request reaches it the engine has answered 100 Trying and holds a transaction.
import type { SipRequest } from '../messages/sip-message.js';
import { isScannerUserAgent } from './scanner-user-agents.js';

/** The discard reason for a request from a known scanner User-Agent, else false. */
export function scannerDiscardReason(request: SipRequest): 'scanner-user-agent' | false {
  return isScannerUserAgent(request.headers.get('User-Agent')) ? 'scanner-user-agent' : false;
}
