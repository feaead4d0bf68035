// Who may see and do what: by role (admin, supervisor, agent) and by the profile's sites,
// teams and queues (the seed's "access control for multi-sites"). An agent sees only
// itself; a supervisor only the agents of its teams and its queues; an admin everything.
import type { Profile, User } from '../../entities/entity-schemas.js';

export interface Principal {
  user: User;
  profile: Profile;
}

export class AccessDenied extends Error {
  readonly status = 403;
}

export function requireRole(principal: Principal, ...roles: Array<Profile['role']>): void {
  if (!roles.includes(principal.profile.role)) {
    throw new AccessDenied(`needs the ${roles.join(' or ')} role; ${principal.user.login} is ${principal.profile.role}`);
  }
}

/** May this principal see (or, for supervisors, act on) this agent? */
export function canSeeAgent(principal: Principal, agent: User): boolean {
  switch (principal.profile.role) {
    case 'admin':
      return true;
    case 'agent':
      return agent.id === principal.user.id;
    case 'supervisor': {
      const teams = new Set([...principal.profile.teams, ...principal.user.teams]);
      return agent.id === principal.user.id || agent.teams.some((team) => teams.has(team));
    }
  }
}

export function requireAgentAccess(principal: Principal, agent: User): void {
  if (canSeeAgent(principal, agent)) return;
  throw new AccessDenied(principal.profile.role === 'agent' ? 'an agent sees only itself' : `agent ${agent.id} is not in your teams`);
}

export function canSeeQueue(principal: Principal, queueId: string): boolean {
  if (principal.profile.role === 'admin') return true;
  if (principal.profile.role === 'supervisor') return principal.profile.queues.includes(queueId);
  return false;
}
