// Known SIP scanners (by User-Agent) are refused before anything else is looked at.
//
// Silence is the aim, but it cannot be reached from an app: the engine has already sent
// 100 Trying when an INVITE reaches us, and an INVITE server transaction with no final
// response stays open (no RFC timer ends it), so ignoring it would leak state an attacker
// can pile up. The silent drop therefore belongs in the engine, before the transaction
// layer (as drachtio-server's <spammers action="discard">), using isScannerUserAgent.
// Here, for anything that got through, the scanner gets the same bare 403 as an unknown
// source: it learns nothing about trunks or policy.
import { isScannerUserAgent } from '../policy/scanner-user-agents.js';
import type { PolicyObserver } from '../policy-events.js';
import type { SbcMiddleware } from '../srf-types.js';

export function blockScanners(observe: PolicyObserver): SbcMiddleware {
  return (req, res, next) => {
    const userAgent = req.get('User-Agent');
    if (!isScannerUserAgent(userAgent)) return next();
    observe({ step: 'block-scanners', outcome: 403, reason: 'scanner user agent' });
    res.send(403);
  };
}
