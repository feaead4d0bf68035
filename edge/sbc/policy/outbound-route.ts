// Where an outbound leg the routing core asks for goes: an agent's registered phone (by
// user name), or a carrier trunk chosen by the longest matching number prefix, through
// its gateways that are up, in the order GatewayOrder gives (priority, then weight).
import type { TrunkConfig } from '../../../platform/config/pop-schema.js';
import { GatewayOrder } from './gateway-order.js';

export type OutboundRoute =
  | { kind: 'phone'; username: string }
  /** gatewayUris: the gateways to try, in order (the call moves to the next when one fails). */
  | { kind: 'trunk'; trunk: TrunkConfig; gatewayUris: string[] }
  | { kind: 'no-gateway'; trunk: TrunkConfig }
  | { kind: 'no-route' };

export function outboundRoute(
  target: string, phoneUsers: ReadonlySet<string>, trunks: readonly TrunkConfig[], gatewayUp: (trunk: string, uri: string) => boolean,
  order: GatewayOrder = new GatewayOrder(),
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
  const up = (best.trunk.gateways ?? []).filter((gateway) => gatewayUp(best.trunk.name, gateway.uri));
  if (up.length === 0) return { kind: 'no-gateway', trunk: best.trunk };
  return { kind: 'trunk', trunk: best.trunk, gatewayUris: order.order(best.trunk.name, up).map((gateway) => gateway.uri) };
}

/** The gateway URI with the dialled number as its user part. */
export function gatewayRequestUri(gatewayUri: string, number: string): string {
  const match = /^(sips?):(?:[^@;]*@)?(.*)$/.exec(gatewayUri);
  if (!match) throw new Error(`gateway URI ${gatewayUri} is not a SIP URI`);
  return `${match[1]}:${number}@${match[2]}`;
}
