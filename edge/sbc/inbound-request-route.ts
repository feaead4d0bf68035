// The edge's inbound INVITE policy, read top to bottom like a Kamailio request_route:
// each step either refuses the request or passes it on; the last hands it to a call
// session. To change the policy, change this list.
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { blockScanners } from './middleware/block-scanners.js';
import { identifyTrunk } from './middleware/identify-trunk.js';
import { enforceTransport } from './middleware/enforce-transport.js';
import { requireSrtp } from './middleware/require-srtp.js';
import { codecPolicy } from './middleware/codec-policy.js';
import { callLimits } from './middleware/call-limits.js';
import { CallAdmission } from './policy/call-admission.js';
import { TrunkDirectory } from './policy/trunk-identification.js';
import type { PolicyObserver } from './policy-events.js';
import type { SbcMiddleware } from './srf-types.js';

export interface InboundRoute {
  steps: SbcMiddleware[];
  admission: CallAdmission;
  directory: TrunkDirectory;
}

export function inboundInviteRoute(pop: PopConfig, observe: PolicyObserver, admission = new CallAdmission()): InboundRoute {
  const directory = new TrunkDirectory(pop.trunks);
  const steps = [
    blockScanners(observe),              // known scanner user agents
    identifyTrunk(directory, observe),   // source address (+ client certificate) -> trunk, else 403
    enforceTransport(observe),           // the trunk's transports, else 403
    requireSrtp(observe),                // SDES offered on SRTP trunks, else 488
    codecPolicy(observe),                // an allowed audio codec left, else 488
    callLimits(admission, observe),      // concurrent calls and calls/s, else 503 + Retry-After
  ];
  return { steps, admission, directory };
}
