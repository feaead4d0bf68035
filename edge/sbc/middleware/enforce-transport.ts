// The trunk's allowed transports: a request over any other gets 403.
import { inboundCallContext } from '../inbound-call-context.js';
import type { PolicyObserver } from '../policy-events.js';
import type { SbcMiddleware } from '../srf-types.js';

export function enforceTransport(observe: PolicyObserver): SbcMiddleware {
  return (req, res, next) => {
    const { trunk } = inboundCallContext(req);
    if ((trunk.transports as readonly string[]).includes(req.protocol.toLowerCase())) return next();
    observe({ step: 'enforce-transport', outcome: 403, trunk: trunk.name, reason: `transport ${req.protocol} not allowed` });
    res.send(403, 'Transport Not Allowed');
  };
}
