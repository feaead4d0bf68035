// Where an outbound leg the routing core asks for goes: an agent's registered phone (by
// user name), or a carrier trunk chosen by the longest matching number prefix, through
// its best gateway that is up. Pure.
import type { TrunkConfig } from '../../../platform/config/pop-schema.js';

export type OutboundRoute =
  | { kind: 'phone'; username: string }
  | { kind: 'trunk'; trunk: TrunkConfig; gatewayUri: string }
  | { kind: 'no-gateway'; trunk: TrunkConfig }
  | { kind: 'no-route' };

export function outboundRoute(
  target: string, phoneUsers: ReadonlySet<string>, trunks: readonly TrunkConfig[], gatewayUp: (trunk: string, uri: string) => boolean,
): OutboundRoute {
  if (phoneUsers.has(target)) return { kind: 'phone', username: target };
  if (!/^\+?[0-9]+$/.test(target)) return { kind: 'no-route' };
  let best: { trunk: TrunkConfig; length: number } | undefined;
  for (const trunk of trunks) {
    for (const prefix of trunk.outbound?.numberPrefixes ?? []) {
      if (target.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = { trunk, length: prefix.length };
    }
  }
  if (best === undefined) return { kind: 'no-route' };
  const gateways = [...(best.trunk.gateways ?? [])]
    .filter((gateway) => gatewayUp(best.trunk.name, gateway.uri))
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight);
  const chosen = gateways[0];
  return chosen === undefined ? { kind: 'no-gateway', trunk: best.trunk } : { kind: 'trunk', trunk: best.trunk, gatewayUri: chosen.uri };
}

/** The gateway URI with the dialled number as its user part. */
export function gatewayRequestUri(gatewayUri: string, number: string): string {
  const match = /^(sips?):(?:[^@;]*@)?(.*)$/.exec(gatewayUri);
  if (!match) throw new Error(`gateway URI ${gatewayUri} is not a SIP URI`);
  return `${match[1]}:${number}@${match[2]}`;
}
