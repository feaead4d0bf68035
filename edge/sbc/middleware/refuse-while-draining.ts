// While the POP drains (`vpop drain`, before a restart), new calls get 503 with
// Retry-After so carriers and the core try the other POP of the pair; calls in
// progress are untouched (in-dialog requests do not come through this route).
import type { PolicyObserver } from '../policy-events.js';
import type { SbcMiddleware } from '../srf-types.js';

export function refuseWhileDraining(draining: () => boolean, observe: PolicyObserver): SbcMiddleware {
  return (_req, res, next) => {
    if (!draining()) return next();
    observe({ step: 'drain', outcome: 503, reason: 'POP draining' });
    res.send(503, 'Draining', { headers: { 'Retry-After': '60' } });
  };
}
