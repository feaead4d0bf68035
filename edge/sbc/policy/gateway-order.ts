// The order an outbound call tries a trunk's gateways in: lower priority first; among
// gateways of equal priority the first is chosen by smooth weighted round-robin (the one
// nginx uses), so over any run of calls each gateway gets its weight's share, exactly and
// evenly spread; the others of the group follow by weight, then the next priority group,
// so a call refused by one gateway is retried on the next.
import type { TrunkConfig } from '../../../platform/config/pop-schema.js';

type Gateway = NonNullable<TrunkConfig['gateways']>[number];

export class GatewayOrder {
  /** Current round-robin weight of each gateway, by trunk and URI. */
  private readonly current = new Map<string, number>();

  /** The gateways that are up, in the order to try them. */
  order(trunk: string, gateways: readonly Gateway[]): Gateway[] {
    const priorities = [...new Set(gateways.map((gateway) => gateway.priority))].sort((a, b) => a - b);
    return priorities.flatMap((priority) => this.groupOrder(trunk, gateways.filter((gateway) => gateway.priority === priority)));
  }

  private groupOrder(trunk: string, group: Gateway[]): Gateway[] {
    if (group.length <= 1) return group;
    const key = (gateway: Gateway): string => `${trunk} ${gateway.uri}`;
    const total = group.reduce((sum, gateway) => sum + gateway.weight, 0);
    let chosen = group[0] as Gateway;
    let best = Number.NEGATIVE_INFINITY;
    for (const gateway of group) {
      const value = (this.current.get(key(gateway)) ?? 0) + gateway.weight;
      this.current.set(key(gateway), value);
      if (value > best) {
        best = value;
        chosen = gateway;
      }
    }
    this.current.set(key(chosen), best - total);
    const rest = group.filter((gateway) => gateway !== chosen).sort((a, b) => b.weight - a.weight);
    return [chosen, ...rest];
  }
}
