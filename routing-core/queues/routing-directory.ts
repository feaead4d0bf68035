// The configuration the router reads on every decision, as maps (a snapshot of the store,
// rebuilt when the configuration changes) so a decision does no database work.
import type { CapacityTeam, Queue, User } from '../entities/entity-schemas.js';

export interface RoutingDirectory {
  queue(id: string): Queue | undefined;
  user(id: string): User | undefined;
  capacityTeam(id: string): CapacityTeam | undefined;
}

export function routingDirectory(center: { queues: readonly Queue[]; users: readonly User[]; capacityTeams: readonly CapacityTeam[] }): RoutingDirectory {
  const queues = new Map(center.queues.map((queue) => [queue.id, queue]));
  const users = new Map(center.users.map((user) => [user.id, user]));
  const capacityTeams = new Map(center.capacityTeams.map((team) => [team.id, team]));
  return {
    queue: (id) => queues.get(id),
    user: (id) => users.get(id),
    capacityTeam: (id) => capacityTeams.get(id),
  };
}
