// The contract both shared-state implementations pass, driven through the router with an
// explicit clock: every selection rule, RONA, wrap-up, leases and the races around them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueSchema, userSchema, type CapacityTeam, type Queue, type User } from '../entities/entity-schemas.js';
import { Router } from '../queues/router.js';
import { routingDirectory } from '../queues/routing-directory.js';
import { MemoryState } from './memory-state.js';
import { RedisState } from './redis-state.js';
import type { RealtimeEvent, SharedState } from './shared-state.js';
import { startRedisServer, type TestRedis } from './testing/redis-server.js';

const T0 = 1_700_000_000_000;
let redis: TestRedis;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

const implementations: Array<[string, () => Promise<SharedState>]> = [
  ['memory', async () => new MemoryState()],
  ['redis', async () => RedisState.connect(redis.url, `test${++prefixes}:`)],
];

const user = (id: string, teams: string[], skills: Record<string, number | boolean> = {}): User =>
  userSchema.parse({ id, name: id, login: id, site: 's', profile: 'agent', teams, skills });
const queue = (id: string, fields: Record<string, unknown>): Queue => queueSchema.parse({ id, name: id, ronaSeconds: 15, wrapUpSeconds: 10, ...fields });

describe.each(implementations)('shared state contract: %s', (_name, open) => {
  async function setup(queues: Queue[], users: User[], capacityTeams: CapacityTeam[] = []) {
    const state = await open();
    const router = new Router(state, routingDirectory({ queues, users, capacityTeams }), { instanceId: 'core-1', automatic: false });
    const events: RealtimeEvent[] = [];
    state.subscribe((event) => events.push(event));
    const available = async (agentId: string, at: number): Promise<void> => {
      await state.applyAgentEvent(agentId, { type: 'login', dialNumber: `sip:${agentId}` }, at);
      await state.applyAgentEvent(agentId, { type: 'available' }, at);
    };
    const done = async (): Promise<void> => {
      await router.stop();
      await state.close();
    };
    return { state, router, events, available, done };
  }
  const statusOf = async (state: SharedState, agentId: string) => (await state.agent(agentId))?.status;
  const reservedFor = async (state: SharedState, agentId: string) => (await state.agent(agentId))?.interactionId;

  it('longest available agent takes the call; the reservation takes agent and call together', async () => {
    const { state, router, available, done } = await setup([queue('q', { groups: [{ teams: ['t'] }] })], [user('a', ['t']), user('b', ['t'])]);
    await available('a', T0 + 20);
    await available('b', T0 + 10);
    await router.enqueue({ interactionId: 'c1', queueId: 'q', now: T0 + 30 });
    await router.route(T0 + 30);
    expect(await state.agent('b')).toMatchObject({ status: 'reserved', interactionId: 'c1', queueId: 'q', leaseExpiresAt: T0 + 30 + 15_000, owner: 'core-1' });
    expect(await statusOf(state, 'a')).toBe('available');
    expect(await state.queued()).toEqual([]);
    expect(await state.call('c1')).toMatchObject({ interactionId: 'c1' });
    await done();
  });

  it('skills: best available by proficiency, ties by longest available', async () => {
    const q = queue('q', { algorithm: 'best-available', skills: { support: 1 }, groups: [{ teams: ['t'] }] });
    const { state, router, available, done } = await setup([q], [user('novice', ['t'], { support: 2 }), user('expert', ['t'], { support: 9 }), user('none', ['t'])]);
    await available('none', T0);
    await available('novice', T0 + 1);
    await available('expert', T0 + 2);
    await router.enqueue({ interactionId: 'c1', queueId: 'q', now: T0 + 5 });
    await router.route(T0 + 5);
    expect(await reservedFor(state, 'expert')).toBe('c1');
    await done();
  });

  it('a group widens the search after its wait', async () => {
    const q = queue('q', { groups: [{ teams: ['first'] }, { afterSeconds: 30, teams: ['second'] }] });
    const { state, router, available, done } = await setup([q], [user('later', ['second'])]);
    await available('later', T0);
    await router.enqueue({ interactionId: 'c1', queueId: 'q', now: T0 });
    expect(await router.route(T0 + 1_000)).toBe(T0 + 30_000);
    expect(await statusOf(state, 'later')).toBe('available');
    await router.route(T0 + 30_000);
    expect(await reservedFor(state, 'later')).toBe('c1');
    await done();
  });

  it('overflow to a capacity-based team while it has capacity', async () => {
    const q = queue('q', { groups: [{ teams: ['t'] }, { afterSeconds: 60, capacityTeam: 'bureau' }] });
    const bureau = { id: 'bureau', name: 'B', number: '18005550199', capacity: 1 };
    const { state, router, events, done } = await setup([q], [], [bureau]);
    await router.enqueue({ interactionId: 'c1', queueId: 'q', now: T0 });
    await router.enqueue({ interactionId: 'c2', queueId: 'q', now: T0 + 1 });
    await router.route(T0 + 60_001);
    await waitFor(() => events.some((event) => event.type === 'dequeued'));
    expect(events.filter((event) => event.type === 'dequeued')).toEqual([
      { type: 'dequeued', reason: 'capacity-team', call: expect.objectContaining({ interactionId: 'c1' }), target: { capacityTeamId: 'bureau', number: '18005550199' } },
    ]);
    expect(await state.capacityInUse('bureau')).toBe(1);
    expect((await state.queued()).map((call) => call.interactionId)).toEqual(['c2']);
    await state.releaseCapacity('bureau');
    await router.route(T0 + 60_002);
    expect(await state.queued()).toEqual([]);
    await done();
  });

  it('queue to agent parks the call until that agent is free, ahead of older queue calls', async () => {
    const q = queue('q', { groups: [{ teams: ['t'] }] });
    const { state, router, available, done } = await setup([q], [user('mine', ['t'])]);
    await router.enqueue({ interactionId: 'older', queueId: 'q', now: T0 });
    await router.enqueue({ interactionId: 'parked', queueId: 'q', targetAgentId: 'mine', now: T0 + 1 });
    await router.route(T0 + 2);
    expect((await state.queued()).map((call) => call.interactionId)).toEqual(['older', 'parked']);
    await available('mine', T0 + 3);
    await router.route(T0 + 3);
    expect(await reservedFor(state, 'mine')).toBe('parked');
    await done();
  });

  it('RONA: the lease lapses, the agent goes idle (RONA) and the call is back at the head of its queue', async () => {
    const q = queue('q', { groups: [{ teams: ['t'] }] });
    const { state, router, available, done } = await setup([q], [user('a', ['t'])]);
    await available('a', T0);
    await router.enqueue({ interactionId: 'first', queueId: 'q', now: T0 });
    await router.route(T0);
    await router.enqueue({ interactionId: 'second', queueId: 'q', now: T0 + 1 });
    await expect(state.answer('a', 'first', 30_000, T0 + 15_000)).rejects.toThrow(/reservation expired/);
    await router.route(T0 + 15_000);
    expect(await state.agent('a')).toMatchObject({ status: 'idle', reason: 'RONA' });
    expect((await state.queued()).map((call) => call.interactionId)).toEqual(['first', 'second']);
    await done();
  });

  it('wrap-up: timed by the queue, then the agent takes the next call', async () => {
    const q = queue('q', { groups: [{ teams: ['t'] }] });
    const { state, router, available, done } = await setup([q], [user('a', ['t'])]);
    await available('a', T0);
    await router.enqueue({ interactionId: 'c1', queueId: 'q', now: T0 });
    await router.enqueue({ interactionId: 'c2', queueId: 'q', now: T0 });
    await router.route(T0);
    await state.answer('a', 'c1', 60_000, T0 + 5_000);
    expect(await router.endInteraction('a', 'c1', T0 + 65_000)).toMatchObject({ status: 'wrap-up', wrapUpEndsAt: T0 + 75_000 });
    expect(await state.handleTimes('q')).toEqual([70]);
    await router.route(T0 + 74_999);
    expect(await statusOf(state, 'a')).toBe('wrap-up');
    await router.route(T0 + 75_000);
    expect(await reservedFor(state, 'a')).toBe('c2');
    await done();
  });

  it('priority: a later call with higher priority is served first', async () => {
    const q = queue('q', { groups: [{ teams: ['t'] }] });
    const { state, router, available, done } = await setup([q], [user('a', ['t'])]);
    await router.enqueue({ interactionId: 'normal', queueId: 'q', now: T0 });
    await router.enqueue({ interactionId: 'vip', queueId: 'q', priority: 10, now: T0 + 1 });
    await available('a', T0 + 2);
    await router.route(T0 + 2);
    expect(await reservedFor(state, 'a')).toBe('vip');
    await done();
  });

  it('max wait: the call leaves for the overflow target', async () => {
    const q = queue('q', { groups: [{ teams: ['t'] }], maxWaitSeconds: 120, overflow: { number: '18005550177' } });
    const { state, router, events, done } = await setup([q], []);
    await router.enqueue({ interactionId: 'c1', queueId: 'q', now: T0 });
    expect(await router.route(T0 + 1)).toBe(T0 + 120_000);
    await router.route(T0 + 120_000);
    await waitFor(() => events.some((event) => event.type === 'dequeued'));
    expect(events.find((event) => event.type === 'dequeued')).toMatchObject({ reason: 'overflow', target: { number: '18005550177' } });
    expect(await state.queued()).toEqual([]);
    await done();
  });

  it('position and EWT across 5 queued calls (AHT 300 s, 2 agents staffed: 150, 300, 450, 600, 750 s)', async () => {
    const q = queue('q', { groups: [{ teams: ['t'] }] });
    const { state, router, available, done } = await setup([q], [user('a', ['t']), user('b', ['t']), user('idle', ['t'])]);
    for (const seconds of [240, 300, 360]) await state.recordHandleTime('q', seconds);
    await available('a', T0);
    await available('b', T0);
    await state.applyAgentEvent('idle', { type: 'login', dialNumber: 'x' }, T0);
    for (const id of ['busy-a', 'busy-b']) await router.enqueue({ interactionId: id, queueId: 'q', now: T0 });
    await router.route(T0);
    for (let index = 1; index <= 5; index++) await router.enqueue({ interactionId: `c${index}`, queueId: 'q', now: T0 + index });
    await router.route(T0 + 10);
    const infos = await Promise.all([1, 2, 3, 4, 5].map((index) => router.queueInfo('q', `c${index}`)));
    expect(infos.map((info) => [info.position, info.estimatedWaitSeconds])).toEqual([[1, 150], [2, 300], [3, 450], [4, 600], [5, 750]]);
    expect(infos[0]).toMatchObject({ agentsStaffed: 2, agentsAvailable: 0, waiting: 5 });
    await done();
  });

  it('courtesy callback keeps the caller\'s place and is offered in turn', async () => {
    const q = queue('q', { groups: [{ teams: ['t'] }] });
    const { state, router, available, done } = await setup([q], [user('a', ['t']), user('b', ['t'])]);
    for (const id of ['c1', 'c2', 'c3']) await router.enqueue({ interactionId: id, queueId: 'q', now: T0 });
    expect(await router.requestCallback('c2', '15551230002')).toMatchObject({ callback: { number: '15551230002' } });
    expect((await router.queueInfo('q', 'c2')).position).toBe(2);
    await available('a', T0 + 1);
    await available('b', T0 + 2);
    await router.route(T0 + 3);
    expect(await reservedFor(state, 'b')).toBe('c2');
    expect(await state.call('c2')).toMatchObject({ callback: { number: '15551230002' } });
    await done();
  });

  it('race: many reservations of one agent at once, exactly one wins; a call is reserved once', async () => {
    const { state, router, available, done } = await setup([queue('q', { groups: [{ teams: ['t'] }] })], [user('a', ['t']), user('b', ['t'])]);
    await available('a', T0);
    await available('b', T0);
    for (let index = 0; index < 8; index++) await router.enqueue({ interactionId: `c${index}`, queueId: 'q', now: T0 });
    const sameAgent = await Promise.all([...Array(8).keys()].map((index) => state.reserve('a', `c${index}`, 15_000, 'core-1', T0)));
    expect(sameAgent.filter(Boolean)).toHaveLength(1);
    const taken = sameAgent.find(Boolean)?.call.interactionId as string;
    expect(await state.reserve('b', taken, 15_000, 'core-1', T0)).toBeUndefined();
    await done();
  });

  it('race: the caller hangs up while the reservation is made; the agent is released, never stuck', async () => {
    const { state, router, available, done } = await setup([queue('q', { groups: [{ teams: ['t'] }] })], [user('a', ['t'])]);
    await available('a', T0);
    await router.enqueue({ interactionId: 'c1', queueId: 'q', now: T0 });
    const [reserved, abandoned] = await Promise.all([state.reserve('a', 'c1', 15_000, 'core-1', T0), state.dequeue('c1', 'abandoned')]);
    expect(Boolean(reserved) !== Boolean(abandoned)).toBe(true);
    if (reserved) {
      await state.returnCall('a', 'c1', 'cancelled', T0 + 1);
      await state.dequeue('c1', 'abandoned');
    }
    expect(await statusOf(state, 'a')).toBe('available');
    expect(await state.queued()).toEqual([]);
    await done();
  });

  it('race: a connected call whose owner stops renewing its lease is reconciled; logout while reserved is refused', async () => {
    const { state, router, available, done } = await setup([queue('q', { groups: [{ teams: ['t'] }] })], [user('a', ['t'])]);
    await available('a', T0);
    await router.enqueue({ interactionId: 'c1', queueId: 'q', now: T0 });
    await router.route(T0);
    await expect(state.applyAgentEvent('a', { type: 'logout' }, T0)).rejects.toThrow(/finish the interaction first/);
    await state.answer('a', 'c1', 30_000, T0 + 1_000);
    await state.applyAgentEvent('a', { type: 'renew', interactionId: 'c1', leaseMs: 30_000 }, T0 + 20_000);
    expect(await state.expireDue(T0 + 49_999)).toEqual([]);
    const [expiry] = await state.expireDue(T0 + 50_000);
    expect(expiry?.before.status).toBe('connected');
    expect(await statusOf(state, 'a')).toBe('available');
    await done();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 400 && !condition(); attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
}
