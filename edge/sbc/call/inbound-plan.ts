// The plan of a carrier's call: to the routing core's SIP URI with the dialled number as
// user, SRTP/RTP per trunk on the carrier side and RTP inside, and the trusted headers.
import type { PopConfig, TrunkConfig } from '../../../platform/config/pop-schema.js';
import type { SbcRequest } from '../srf-types.js';
import type { CallPlan } from './call-plan.js';
import { carrierProfile, insideProfile } from './media-leg.js';
import { coreLegContact, coreRequestUri, trustedHeaders } from './trusted-headers.js';

export function inboundPlan(req: SbcRequest, trunk: TrunkConfig, pop: PopConfig, release: () => void): CallPlan {
  const contact = coreLegContact(pop.routingCore.listener);
  return {
    direction: 'inbound',
    route: trunk.name,
    targetUri: coreRequestUri(pop.routingCore.sipUri, req.calledNumber),
    profiles: { caller: carrierProfile(trunk), callee: insideProfile(trunk) },
    headers: {
      ...trustedHeaders({ trunk: trunk.name, pop: pop.pop.id, dialledNumber: req.calledNumber, caller: req.callingNumber }),
      ...(contact !== undefined ? { Contact: contact } : {}),
    },
    dialledNumber: req.calledNumber,
    caller: req.callingNumber,
    release,
  };
}
