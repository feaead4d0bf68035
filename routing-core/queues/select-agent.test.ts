import { describe, expect, it } from 'vitest';
import { queueSchema, type Queue } from '../entities/entity-schemas.js';
import { TeamIndexedPool } from './available-pool.js';
import { averageHandleSeconds, estimatedWaitSeconds } from './estimated-wait.js';
import { compareQueuedCalls, positionInQueue, type QueuedCall } from './queued-call.js';
import { routeCall, skillsMatch, type CapacityTeamView } from './select-agent.js';

const T0 = 1_000_000;
const queue = (fields: Record<string, unknown>): Queue => queueSchema.parse({ id: 'q', name: 'Q', ...fields });
const call = (fields: Partial<QueuedCall> = {}): QueuedCall => ({ interactionId: 'c1', queueId: 'q', enqueuedAt: T0, priority: 0, order: 1, owner: 'test', ...fields });

function pool(agents: Array<{ id: string; since: number; teams: string[]; skills?: Record<string, number | boolean> }>): TeamIndexedPool {
  const result = new TeamIndexedPool([], { queue: () => undefined, user: () => undefined, capacityTeam: () => undefined });
  for (const agent of agents) result.add({ agentId: agent.id, availableSince: agent.since, skills: agent.skills ?? {} }, agent.teams);
  return result;
}
const noCapacity = (): CapacityTeamView | undefined => undefined;

describe('agent selection (pure)', () => {
  it('longest available: the agent available earliest, whatever the team order', () => {
    const agents = pool([{ id: 'a', since: T0 - 10, teams: ['t1'] }, { id: 'b', since: T0 - 30, teams: ['t2'] }, { id: 'c', since: T0 - 20, teams: ['t1'] }]);
    expect(routeCall(call(), queue({ groups: [{ teams: ['t1', 't2'] }] }), agents, T0, noCapacity)).toEqual({ kind: 'agent', agentId: 'b' });
  });

  it('skills-based longest available: only agents with every required skill at the level, then longest available', () => {
    const q = queue({ skills: { spanish: 5, billing: true }, groups: [{ teams: ['t'] }] });
    const agents = pool([
      { id: 'longest-but-unskilled', since: T0 - 100, teams: ['t'], skills: { spanish: 9 } },
      { id: 'too-weak', since: T0 - 90, teams: ['t'], skills: { spanish: 4, billing: true } },
      { id: 'skilled-later', since: T0 - 10, teams: ['t'], skills: { spanish: 5, billing: 3 } },
      { id: 'skilled-earlier', since: T0 - 20, teams: ['t'], skills: { spanish: 7, billing: true } },
    ]);
    expect(routeCall(call(), q, agents, T0, noCapacity)).toEqual({ kind: 'agent', agentId: 'skilled-earlier' });
    expect(skillsMatch({ billing: true }, { billing: false })).toBe(false);
  });

  it('best available: highest proficiency in the required skills, ties by longest available', () => {
    const q = queue({ algorithm: 'best-available', skills: { spanish: 1, billing: 1 }, groups: [{ teams: ['t'] }] });
    const agents = pool([
      { id: 'longest', since: T0 - 100, teams: ['t'], skills: { spanish: 3, billing: 3 } },
      { id: 'best-later', since: T0 - 10, teams: ['t'], skills: { spanish: 9, billing: 5 } },
      { id: 'best-earlier', since: T0 - 20, teams: ['t'], skills: { spanish: 7, billing: 7 } },
    ]);
    expect(routeCall(call(), q, agents, T0, noCapacity)).toEqual({ kind: 'agent', agentId: 'best-earlier' });
  });

  it('call-distribution groups join after their wait: the search widens over time', () => {
    const q = queue({ groups: [{ teams: ['first'] }, { afterSeconds: 30, teams: ['second'] }] });
    const agents = pool([{ id: 'second-only', since: T0 - 100, teams: ['second'] }]);
    expect(routeCall(call(), q, agents, T0 + 29_999, noCapacity)).toEqual({ kind: 'wait', reviewAt: T0 + 30_000 });
    expect(routeCall(call(), q, agents, T0 + 30_000, noCapacity)).toEqual({ kind: 'agent', agentId: 'second-only' });
    // once widened, the longest available of both groups is taken
    const both = pool([{ id: 'first', since: T0 - 5, teams: ['first'] }, { id: 'second', since: T0 - 50, teams: ['second'] }]);
    expect(routeCall(call(), q, both, T0 + 1_000, noCapacity)).toEqual({ kind: 'agent', agentId: 'first' });
    expect(routeCall(call(), q, both, T0 + 31_000, noCapacity)).toEqual({ kind: 'agent', agentId: 'second' });
  });

  it('a capacity-based team is the last group: used while under capacity and no agent matches', () => {
    const q = queue({ groups: [{ teams: ['t'] }, { afterSeconds: 60, capacityTeam: 'bureau' }] });
    const bureau = (inUse: number) => (id: string): CapacityTeamView | undefined => (id === 'bureau' ? { id, number: '18005550199', capacity: 2, inUse } : undefined);
    const empty = pool([]);
    expect(routeCall(call(), q, empty, T0 + 59_000, bureau(0))).toEqual({ kind: 'wait', reviewAt: T0 + 60_000 });
    expect(routeCall(call(), q, empty, T0 + 60_000, bureau(1))).toEqual({ kind: 'capacity-team', capacityTeamId: 'bureau', number: '18005550199' });
    expect(routeCall(call(), q, empty, T0 + 60_000, bureau(2))).toEqual({ kind: 'wait', reviewAt: undefined });
    const agent = pool([{ id: 'a', since: T0, teams: ['t'] }]);
    expect(routeCall(call(), q, agent, T0 + 60_000, bureau(0))).toEqual({ kind: 'agent', agentId: 'a' });
  });

  it('queue to agent: only that agent; parked (waiting) while the agent is not available', () => {
    const q = queue({ groups: [{ teams: ['t'] }], maxWaitSeconds: 300 });
    const others = pool([{ id: 'other', since: T0 - 100, teams: ['t'] }]);
    expect(routeCall(call({ targetAgentId: 'mine' }), q, others, T0, noCapacity)).toEqual({ kind: 'wait', reviewAt: T0 + 300_000 });
    const mine = pool([{ id: 'other', since: T0 - 100, teams: ['t'] }, { id: 'mine', since: T0, teams: [] }]);
    expect(routeCall(call({ targetAgentId: 'mine' }), q, mine, T0, noCapacity)).toEqual({ kind: 'agent', agentId: 'mine' });
  });

  it('max wait: overflow to the queue\'s target, or to the flow\'s branch when it has none', () => {
    const agents = pool([]);
    const withTarget = queue({ groups: [{ teams: ['t'] }], maxWaitSeconds: 120, overflow: { queue: 'other' } });
    expect(routeCall(call(), withTarget, agents, T0 + 119_999, noCapacity)).toEqual({ kind: 'wait', reviewAt: T0 + 120_000 });
    expect(routeCall(call(), withTarget, agents, T0 + 120_000, noCapacity)).toEqual({ kind: 'overflow', target: { queue: 'other' } });
    const without = queue({ groups: [{ teams: ['t'] }], maxWaitSeconds: 10 });
    expect(routeCall(call(), without, agents, T0 + 10_000, noCapacity)).toEqual({ kind: 'overflow', target: undefined });
  });

  it('priority first, then arrival; position counts only the same queue', () => {
    const calls = [
      call({ interactionId: 'old-low', order: 1 }),
      call({ interactionId: 'new-high', order: 3, priority: 5 }),
      call({ interactionId: 'mid-low', order: 2 }),
      call({ interactionId: 'elsewhere', order: 0, queueId: 'other' }),
    ].sort(compareQueuedCalls);
    expect(calls.map((c) => c.interactionId)).toEqual(['new-high', 'elsewhere', 'old-low', 'mid-low']);
    expect(['new-high', 'old-low', 'mid-low', 'elsewhere'].map((id) => positionInQueue(calls, id))).toEqual([1, 2, 3, 1]);
  });

  it('estimated wait = position x AHT / agents staffed (hand-computed)', () => {
    // recent handle times 240, 300, 360 s: AHT 300 s; 2 agents staffed; 5 callers waiting
    const aht = averageHandleSeconds([240, 300, 360], 180);
    expect(aht).toBe(300);
    expect([1, 2, 3, 4, 5].map((position) => estimatedWaitSeconds(position, aht, 2))).toEqual([150, 300, 450, 600, 750]);
    expect(averageHandleSeconds([], 180)).toBe(180);
    expect(estimatedWaitSeconds(1, 300, 0)).toBeUndefined();
  });
});
