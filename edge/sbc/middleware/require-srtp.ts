// On an SRTP-required trunk, an offer without SDES crypto (of an allowed suite) gets 488.
import { summariseAudioOffer } from '../../../media/sdp/audio-offer-summary.js';
import { inboundCallContext } from '../inbound-call-context.js';
import { srtpDecision } from '../policy/media-policy.js';
import type { PolicyObserver } from '../policy-events.js';
import type { SbcMiddleware } from '../srf-types.js';

export function requireSrtp(observe: PolicyObserver): SbcMiddleware {
  return (req, res, next) => {
    const { trunk } = inboundCallContext(req);
    const decision = srtpDecision(trunk, summariseAudioOffer(req.body ?? ''));
    if (decision.ok) return next();
    observe({ step: 'require-srtp', outcome: decision.status, trunk: trunk.name, reason: decision.reason });
    res.send(decision.status, decision.reason);
  };
}
