// Headers the edge hands the routing core about a call. Only the edge sets them: the B2BUA
// copies no header from the carrier's INVITE unless listed, and these names are never
// listed, so a carrier's own X-VPOP-* header never reaches the core.
import { hostPort } from '../../../platform/config/ip-literal.js';

const TRUSTED_HEADER_PREFIX = 'X-VPOP-';

export interface TrustedCallFacts {
  trunk: string;
  pop: string;
  /** The number the carrier called: the entry point. */
  dialledNumber: string;
  /** The caller's number as the carrier presented it. */
  caller: string;
}

export function trustedHeaders(facts: TrustedCallFacts): Record<string, string> {
  return {
    'X-VPOP-Trunk': facts.trunk,
    'X-VPOP-POP': facts.pop,
    'X-VPOP-Dialled-Number': facts.dialledNumber,
    'X-VPOP-Caller': facts.caller,
  };
}

/** True for a header name only the edge may set. */
export function isTrustedHeaderName(name: string): boolean {
  return name.toUpperCase().startsWith(TRUSTED_HEADER_PREFIX.toUpperCase());
}

/** The core's SIP URI with the dialled number as its user part. */
export function coreRequestUri(coreSipUri: string, dialledNumber: string): string {
  const match = /^(sips?):(?:[^@;]*@)?(.*)$/.exec(coreSipUri);
  if (!match) throw new Error(`routing core URI ${coreSipUri} is not a SIP URI`);
  const user = dialledNumber.replace(/[^0-9A-Za-z+*#._-]/g, '');
  return user === '' ? `${match[1]}:${match[2]}` : `${match[1]}:${user}@${match[2]}`;
}

/**
 * The Contact for the leg toward the routing core: the edge's internal (core) listener at
 * its bound address, so the core's in-dialog requests come back where the core is
 * admitted. Carrier listeners never admit the core, and their public addresses are for
 * carriers: topology hiding keeps the two apart.
 */
export function coreLegContact(listener: { transport: string; address: string; port: number } | undefined): string | undefined {
  if (!listener) return undefined;
  const { transport, address, port } = listener;
  return `<sip:${hostPort(address, port)}${transport === 'udp' ? '' : `;transport=${transport}`}>`;
}
