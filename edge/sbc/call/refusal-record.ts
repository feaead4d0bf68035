// Calls the edge refuses (policy: 403/404/480/488, overload: 503) get CDRs too: an
// attempt and a stop with the status, the reason phrase and cause "refused", so every
// INVITE that reached the SBC is on record. The step is first in the INVITE chain and
// watches the final response; calls that became sessions write their own records.
import type { PopConfig } from '../../../platform/config/pop-schema.js';
import { findInboundCallContext } from '../inbound-call-context.js';
import { arrivedOn } from '../policy/core-identification.js';
import type { SbcMiddleware, SbcRequest } from '../srf-types.js';
import { Q850 } from './call-end-cause.js';
import type { CdrRecord, CdrSink } from './cdr-writer.js';

export function recordRefusals(pop: PopConfig, cdr: CdrSink, sessions: WeakSet<SbcRequest>, now: () => number = Date.now): SbcMiddleware {
  return (req, res, next) => {
    const receivedAt = now();
    res.once('end', ({ status, reason }) => {
      if (status < 300 || sessions.has(req)) return;
      const trunk = findInboundCallContext(req)?.trunk.name;
      const port = Number(req.source_port);
      const base: CdrRecord = {
        event: 'attempt', callId: req.get('Call-ID') ?? '', pop: pop.pop.id, trunk: trunk ?? 'unidentified',
        direction: trunk === undefined && arrivedOn(pop.routingCore.listener, req.receivedOn) ? 'outbound' : 'inbound',
        caller: req.callingNumber, dialledNumber: req.calledNumber, at: new Date(receivedAt).toISOString(),
        sourceAddress: req.source_address, ...(Number.isInteger(port) ? { sourcePort: port } : {}), transport: req.protocol.toLowerCase(),
      };
      cdr.write(base);
      cdr.write({
        ...base, event: 'stop', at: new Date(now()).toISOString(), resultCode: status, reason: reason ?? '', cause: 'refused',
        q850: Q850.refused, setupMs: now() - receivedAt,
      });
    });
    next();
  };
}
