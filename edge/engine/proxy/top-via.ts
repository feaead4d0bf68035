// Removing the top via-parm: the first Via line may join several via-parms with
// commas (RFC 3261 §7.3.1), in which case only its first element goes.

import { splitHeaderList } from '../messages/headers/header-list.js';
import type { SipHeaders } from '../messages/sip-message.js';

export function popTopVia(headers: SipHeaders): void {
  const first = headers.get('Via');
  if (first === undefined) return;
  const parts = splitHeaderList(first);
  if (parts.length <= 1) {
    headers.removeFirst('Via');
    return;
  }
  // Rare: rewrite all Via values as one comma-joined line at the first Via's position.
  const rest = [...parts.slice(1), ...headers.getAll('Via').slice(1)];
  headers.set('Via', rest.join(', '));
}
