// Requests from the routing core are outbound legs it asks for: to an agent's registered
// phone (480 when it is not registered) or out through a carrier trunk (503 when the
// trunk is full or has no gateway up, 404 when no trunk serves the number). The core is
// known by the internal listener the request arrived on and its identity there (its
// client certificate on a TLS link; policy/core-identification.ts), never by its source
// address. Anything else on the internal listener gets 403; requests from carrier and
// phone listeners go on down the carrier policy.
import type { PopConfig } from '../../../platform/config/pop-schema.js';
import { corePeerCidrs } from '../../engine/engine-options.js';
import { clientCertificateOf } from '../client-certificate.js';
import { CoreIdentity } from '../policy/core-identification.js';
import type { CallPlan } from '../call/call-plan.js';
import { phonePlan, trunkPlan } from '../call/outbound-plan.js';
import type { CallAdmission } from '../policy/call-admission.js';
import { GatewayOrder } from '../policy/gateway-order.js';
import { outboundRoute } from '../policy/outbound-route.js';
import type { PolicyObserver } from '../policy-events.js';
import type { Registrar } from '../registrar/registrar.js';
import type { SbcMiddleware, SbcRequest, SbcResponse } from '../srf-types.js';

export interface RouteFromCoreDeps {
  pop: PopConfig;
  registrar: Registrar | undefined;
  admission: CallAdmission;
  gatewayUp: (trunk: string, uri: string) => boolean;
  startCall: (req: SbcRequest, res: SbcResponse, plan: CallPlan) => void;
  observe: PolicyObserver;
  /** Shares calls among a trunk's gateways by weight; one per SBC. */
  gatewayOrder?: GatewayOrder;
}

export function routeFromCore(deps: RouteFromCoreDeps): SbcMiddleware {
  deps = { ...deps, gatewayOrder: deps.gatewayOrder ?? new GatewayOrder() };
  const core = new CoreIdentity(deps.pop, corePeerCidrs(deps.pop));
  return (req, res, next) => {
    const identified = core.identify({
      receivedOn: req.receivedOn, address: req.source_address, protocol: req.protocol, clientCertificate: clientCertificateOf(req),
    });
    if (identified.kind === 'elsewhere') return next();
    if (identified.kind === 'impostor') {
      deps.observe({ step: 'route-from-core', outcome: 403, source: `${req.protocol}:${req.source_address}`, reason: identified.reason });
      res.send(403);
      return;
    }
    void placeOutbound(deps, req, res).catch(() => { if (!res.finalResponseSent) res.send(500); });
  };
}

async function placeOutbound(deps: RouteFromCoreDeps, req: SbcRequest, res: SbcResponse): Promise<void> {
  const route = outboundRoute(req.calledNumber, deps.registrar?.usernames ?? new Set(), deps.pop.trunks, deps.gatewayUp, deps.gatewayOrder);
  switch (route.kind) {
    case 'phone': {
      const binding = await deps.registrar?.lookup(route.username);
      if (binding === undefined) {
        deps.observe({ step: 'route-from-core', outcome: 480, reason: 'phone not registered' });
        res.send(480);
        return;
      }
      deps.startCall(req, res, phonePlan(req, binding));
      return;
    }
    case 'trunk': {
      const admitted = deps.admission.admit(route.trunk);
      if (!admitted.admitted) {
        deps.observe({ step: 'route-from-core', outcome: 503, trunk: route.trunk.name, reason: admitted.reason });
        res.send(503, admitted.reason, { headers: { 'Retry-After': String(admitted.retryAfterSeconds) } });
        return;
      }
      deps.startCall(req, res, trunkPlan(req, route.trunk, route.gatewayUris, admitted.release));
      return;
    }
    case 'no-gateway':
      deps.observe({ step: 'route-from-core', outcome: 503, trunk: route.trunk.name, reason: 'no gateway up' });
      res.send(503, 'No Gateway Available');
      return;
    case 'no-route':
      deps.observe({ step: 'route-from-core', outcome: 404, reason: 'no route for the number' });
      res.send(404);
  }
}
