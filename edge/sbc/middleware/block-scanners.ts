// Known SIP scanners (by User-Agent) are refused before anything else is looked at.
//
// Silence is the aim, and the engine gives it: it discards requests from known scanner
// User-Agents before its transaction layer (edge/engine/request-discard), so none reach
// this app. This step stays as a second line for an engine that does not discard (e.g.
// drachtio-server without a <spammers> rule): the scanner gets the same bare 403 as an
// unknown source and learns nothing about trunks or policy.
import { isScannerUserAgent } from '../../engine/request-discard/scanner-user-agents.js';
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
