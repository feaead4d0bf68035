// Which trunk sent this request: by source address and, on mutual-TLS trunks, by the
// client certificate. A request that matches no trunk gets 403.
import { clientCertificateOf } from '../client-certificate.js';
import { setInboundCallContext } from '../inbound-call-context.js';
import type { TrunkDirectory } from '../policy/trunk-identification.js';
import type { PolicyObserver } from '../policy-events.js';
import type { SbcMiddleware } from '../srf-types.js';

export function identifyTrunk(directory: TrunkDirectory, observe: PolicyObserver): SbcMiddleware {
  return (req, res, next) => {
    const identified = directory.identify({
      address: req.source_address, protocol: req.protocol, clientCertificate: clientCertificateOf(req),
    });
    if (identified.kind === 'trunk') {
      setInboundCallContext(req, { trunk: identified.trunk });
      return next();
    }
    observe({
      step: 'identify-trunk', outcome: 403, source: `${req.protocol}:${req.source_address}`,
      ...(identified.kind === 'certificate-mismatch' ? { trunk: identified.trunkName } : {}),
      reason: identified.kind === 'certificate-mismatch' ? 'client certificate does not match the trunk' : 'no trunk for source address',
    });
    res.send(403);
  };
}
