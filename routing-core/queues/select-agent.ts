// Agent selection as a pure function of (call, queue, agents, time waited), after Twilio
// TaskRouter's workflows: the queue's call-distribution groups are data, each joins the
// search once the call has waited its afterSeconds, so the pool widens over time; a
// capacity-based team is the last resort while it has capacity. No I/O, no clock: the
// router passes `now`, so every rule is unit-testable and benchmarkable.
import type { Overflow, Queue } from '../entities/entity-schemas.js';
import type { QueuedCall } from './queued-call.js';

export type SkillSet = Readonly<Record<string, number | boolean>>;

export interface AgentCandidate {
  agentId: string;
  /** Only available agents are candidates; the pool holds nothing else. */
  availableSince: number;
  skills: SkillSet;
}

/** The available agents, indexed by team; built by the router from shared state. */
export interface AvailablePool {
  inTeam(teamId: string): Iterable<AgentCandidate>;
  agent(agentId: string): AgentCandidate | undefined;
}

export interface CapacityTeamView {
  id: string;
  number: string;
  capacity: number;
  inUse: number;
}

export type RoutingDecision =
  | { kind: 'agent'; agentId: string }
  | { kind: 'capacity-team'; capacityTeamId: string; number: string }
  /** Max wait reached: to the queue's overflow target, or (none set) the flow's overflow branch. */
  | { kind: 'overflow'; target?: Overflow }
  /** Nobody yet; look again at reviewAt (a group joins or max wait is reached) or when an agent frees up. */
  | { kind: 'wait'; reviewAt?: number };

export function skillsMatch(required: SkillSet, agent: SkillSet): boolean {
  for (const [skill, need] of Object.entries(required)) {
    const have = agent[skill];
    if (have === undefined || have === false) return false;
    if (typeof need === 'number' && need > proficiency(have)) return false;
  }
  return true;
}

/** A boolean skill counts as proficiency 1 when a level is asked for. */
function proficiency(value: number | boolean): number {
  return typeof value === 'number' ? value : value ? 1 : 0;
}

/** Best-available score: the agent's proficiency summed over the queue's required skills. */
function skillScore(required: SkillSet, agent: SkillSet): number {
  let score = 0;
  for (const skill of Object.keys(required)) score += proficiency(agent[skill] ?? 0);
  return score;
}

/** Is `a` a better pick than `b`? Longest available first; best available by score, then longest available. */
function better(queue: Queue, a: AgentCandidate, aScore: number, b: AgentCandidate, bScore: number): boolean {
  if (queue.algorithm === 'best-available' && aScore !== bScore) return aScore > bScore;
  if (a.availableSince !== b.availableSince) return a.availableSince < b.availableSince;
  return a.agentId < b.agentId;
}

export function routeCall(
  call: QueuedCall,
  queue: Queue,
  pool: AvailablePool,
  now: number,
  capacityTeams: (id: string) => CapacityTeamView | undefined,
): RoutingDecision {
  const waited = now - call.enqueuedAt;
  const maxWaitMs = queue.maxWaitSeconds === undefined ? undefined : queue.maxWaitSeconds * 1000;
  if (maxWaitMs !== undefined && waited >= maxWaitMs) return { kind: 'overflow', target: queue.overflow };
  const maxWaitAt = maxWaitMs === undefined ? undefined : call.enqueuedAt + maxWaitMs;

  if (call.targetAgentId !== undefined) {
    const agent = pool.agent(call.targetAgentId);
    return agent ? { kind: 'agent', agentId: agent.agentId } : { kind: 'wait', reviewAt: maxWaitAt };
  }

  let best: AgentCandidate | undefined;
  let bestScore = 0;
  let capacity: CapacityTeamView | undefined;
  let reviewAt = maxWaitAt;
  for (const group of queue.groups) {
    const opensAt = call.enqueuedAt + group.afterSeconds * 1000;
    if (opensAt > now) {
      reviewAt = reviewAt === undefined ? opensAt : Math.min(reviewAt, opensAt);
      continue;
    }
    if ('capacityTeam' in group) {
      const team = capacityTeams(group.capacityTeam);
      if (!capacity && team && team.inUse < team.capacity) capacity = team;
      continue;
    }
    for (const teamId of group.teams) {
      for (const candidate of pool.inTeam(teamId)) {
        if (!skillsMatch(queue.skills, candidate.skills)) continue;
        const score = queue.algorithm === 'best-available' ? skillScore(queue.skills, candidate.skills) : 0;
        if (!best || better(queue, candidate, score, best, bestScore)) {
          best = candidate;
          bestScore = score;
        }
      }
    }
  }
  if (best) return { kind: 'agent', agentId: best.agentId };
  if (capacity) return { kind: 'capacity-team', capacityTeamId: capacity.id, number: capacity.number };
  return { kind: 'wait', reviewAt };
}
