// The trunk's concurrent-call and calls-per-second limits: 503 with Retry-After beyond
// them. The admitted call's slot is released by the call session when it ends.
import { inboundCallContext } from '../inbound-call-context.js';
import type { CallAdmission } from '../policy/call-admission.js';
import type { PolicyObserver } from '../policy-events.js';
import type { SbcMiddleware } from '../srf-types.js';

export function callLimits(admission: CallAdmission, observe: PolicyObserver): SbcMiddleware {
  return (req, res, next) => {
    const context = inboundCallContext(req);
    const decision = admission.admit(context.trunk);
    if (decision.admitted) {
      context.releaseAdmission = decision.release;
      return next();
    }
    observe({ step: 'call-limits', outcome: 503, trunk: context.trunk.name, reason: decision.reason });
    res.send(503, decision.reason, { headers: { 'Retry-After': String(decision.retryAfterSeconds) } });
  };
}
