// The available agents indexed by team, built from shared state once per routing pass.
import type { AgentState } from '../agents/agent-state.js';
import type { RoutingDirectory } from './routing-directory.js';
import type { AgentCandidate, AvailablePool } from './select-agent.js';

export class TeamIndexedPool implements AvailablePool {
  private readonly byTeam = new Map<string, Map<string, AgentCandidate>>();
  private readonly byId = new Map<string, { candidate: AgentCandidate; teams: readonly string[] }>();

  constructor(agents: Iterable<AgentState>, directory: RoutingDirectory) {
    for (const state of agents) {
      if (state.status !== 'available') continue;
      const user = directory.user(state.agentId);
      if (!user) continue;
      this.add({ agentId: state.agentId, availableSince: state.availableSince ?? state.since, skills: user.skills }, user.teams);
    }
  }

  add(candidate: AgentCandidate, teams: readonly string[]): void {
    this.byId.set(candidate.agentId, { candidate, teams });
    for (const team of teams) {
      let members = this.byTeam.get(team);
      if (!members) this.byTeam.set(team, (members = new Map()));
      members.set(candidate.agentId, candidate);
    }
  }

  /** Taken by a reservation: no longer a candidate in this pass. */
  remove(agentId: string): void {
    const entry = this.byId.get(agentId);
    if (!entry) return;
    this.byId.delete(agentId);
    for (const team of entry.teams) this.byTeam.get(team)?.delete(agentId);
  }

  inTeam(teamId: string): Iterable<AgentCandidate> {
    return this.byTeam.get(teamId)?.values() ?? [];
  }

  agent(agentId: string): AgentCandidate | undefined {
    return this.byId.get(agentId)?.candidate;
  }

  get size(): number {
    return this.byId.size;
  }
}
