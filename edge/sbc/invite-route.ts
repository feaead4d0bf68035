// The edge's INVITE policy, read top to bottom like a Kamailio request_route: each step
// either answers the request or passes it on. The routing core's requests become
// outbound legs; a carrier's request is checked step by step and, if it passes, becomes
// an inbound call. To change the policy, change this list.
import type { PopConfig } from '../../platform/config/pop-schema.js';
import type { CallPlan } from './call/call-plan.js';
import { blockScanners } from './middleware/block-scanners.js';
import { routeFromCore } from './middleware/route-from-core.js';
import { identifyTrunk } from './middleware/identify-trunk.js';
import { enforceTransport } from './middleware/enforce-transport.js';
import { requireSrtp } from './middleware/require-srtp.js';
import { codecPolicy } from './middleware/codec-policy.js';
import { callLimits } from './middleware/call-limits.js';
import { refuseWhileDraining } from './middleware/refuse-while-draining.js';
import { isDraining } from '../../platform/drain/drain-flag.js';
import type { CallAdmission } from './policy/call-admission.js';
import type { TrunkDirectory } from './policy/trunk-identification.js';
import type { PolicyObserver } from './policy-events.js';
import type { Registrar } from './registrar/registrar.js';
import type { SbcMiddleware, SbcRequest, SbcResponse } from './srf-types.js';

export interface InviteRouteDeps {
  pop: PopConfig;
  directory: TrunkDirectory;
  admission: CallAdmission;
  registrar: Registrar | undefined;
  gatewayUp: (trunk: string, uri: string) => boolean;
  startCall: (req: SbcRequest, res: SbcResponse, plan: CallPlan) => void;
  observe: PolicyObserver;
}

export function inviteRoute(deps: InviteRouteDeps): SbcMiddleware[] {
  const { observe } = deps;
  return [
    blockScanners(observe),                  // known scanner user agents
    refuseWhileDraining(() => isDraining(deps.pop.stateDir), observe), // vpop drain: new calls 503 + Retry-After
    routeFromCore(deps),                     // the core's outbound legs: registered phone (else 480) or trunk gateway
    identifyTrunk(deps.directory, observe),  // source address (+ client certificate) -> trunk, else 403
    enforceTransport(observe),               // the trunk's transports, else 403
    requireSrtp(observe),                    // SDES offered on SRTP trunks, else 488
    codecPolicy(observe),                    // an allowed audio codec left, else 488
    callLimits(deps.admission, observe),     // concurrent calls and calls/s, else 503 + Retry-After
  ];
}
