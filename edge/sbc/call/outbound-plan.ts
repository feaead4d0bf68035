// Plans of outbound legs the routing core asks for: to an agent's registered phone (plain
// RTP) or through a carrier trunk's gateway (SRTP per trunk). The inside (core) side is
// plain RTP either way. The engine writes the Contact (the sending listener's public
// address), so the plans name none.
import type { TrunkConfig } from '../../../platform/config/pop-schema.js';
import type { PhoneBinding } from '../registrar/binding-store.js';
import type { SbcRequest } from '../srf-types.js';
import type { CallPlan } from './call-plan.js';
import { PHONE_PROFILE, carrierProfile, insideProfile } from './media-leg.js';
import { gatewayRequestUri } from '../policy/outbound-route.js';

export function phonePlan(req: SbcRequest, binding: PhoneBinding): CallPlan {
  return {
    direction: 'outbound', route: 'phones', targetUri: binding.contact,
    profiles: { caller: PHONE_PROFILE, callee: PHONE_PROFILE },
    headers: {},
    dialledNumber: req.calledNumber, caller: req.callingNumber, release: () => undefined,
  };
}

export function trunkPlan(req: SbcRequest, trunk: TrunkConfig, gatewayUris: readonly string[], release: () => void): CallPlan {
  const [first, ...others] = gatewayUris.map((uri) => gatewayRequestUri(uri, req.calledNumber));
  if (first === undefined) throw new Error(`trunk ${trunk.name}: no gateway to send the call to`);
  return {
    direction: 'outbound', route: trunk.name, targetUri: first, fallbackUris: others,
    profiles: { caller: insideProfile(trunk), callee: carrierProfile(trunk) },
    headers: {},
    dialledNumber: req.calledNumber, caller: req.callingNumber, release,
  };
}
