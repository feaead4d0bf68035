// The trunk's codec list: other codecs are stripped by the media anchor; an offer with
// no allowed audio codec gets 488 here.
import { summariseAudioOffer } from '../../../media/sdp/audio-offer-summary.js';
import { inboundCallContext } from '../inbound-call-context.js';
import { codecDecision } from '../policy/media-policy.js';
import type { PolicyObserver } from '../policy-events.js';
import type { SbcMiddleware } from '../srf-types.js';

export function codecPolicy(observe: PolicyObserver): SbcMiddleware {
  return (req, res, next) => {
    const { trunk } = inboundCallContext(req);
    const decision = codecDecision(trunk, summariseAudioOffer(req.body ?? ''));
    if (decision.ok) return next();
    observe({ step: 'codec-policy', outcome: decision.status, trunk: trunk.name, reason: decision.reason });
    res.send(decision.status, decision.reason);
  };
}
