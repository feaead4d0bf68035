// A carrier call held up through the edge until the edge ends it (SIPp on 127.0.0.4 with
// test/sbc/scenarios/held-call.uac.xml), and the SIPp routing core that answers it and
// every session refresh (refreshed-call.uas.xml).
import { fileURLToPath } from 'node:url';
import { startSipp, type SippProcess } from '../../support/sipp.js';
import { freePort } from '../../support/free-port.js';

const scenarios = fileURLToPath(new URL('../scenarios/', import.meta.url));

export async function startCore(corePort: number): Promise<SippProcess> {
  return startSipp({
    scenario: `${scenarios}refreshed-call.uas.xml`, localAddress: '127.0.0.1', localPort: corePort, transport: 'u1', timeoutSeconds: 120,
  });
}

/** One call that stays up until the edge sends BYE; the caller offers `sessionExpires` with itself as refresher and never refreshes. */
export async function startHeldCall(sipPort: number, sessionExpires = 1800): Promise<SippProcess> {
  return startSipp({
    scenario: `${scenarios}held-call.uac.xml`, target: `127.0.0.1:${sipPort}`, localAddress: '127.0.0.4', localPort: await freePort(),
    transport: 'u1', calls: 1, timeoutSeconds: 120, service: '18005550100', vars: { session_expires: String(sessionExpires) },
  });
}
