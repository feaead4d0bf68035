// Two core instances on one real Redis: a call queued on one is delivered to an agent
// logged in on the other, and with both routing at once no agent is reserved twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueSchema, userSchema } from '../entities/entity-schemas.js';
import { Router, type Offer } from '../queues/router.js';
import { routingDirectory } from '../queues/routing-directory.js';
import { RedisState } from './redis-state.js';
import type { RealtimeEvent } from './shared-state.js';
import { startRedisServer, type TestRedis } from './testing/redis-server.js';
import { waitUntil } from '../../test/support/wait-until.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

const agentIds = ['a1', 'a2', 'a3', 'a4', 'a5'];
const directory = routingDirectory({
  queues: [queueSchema.parse({ id: 'q', name: 'Q', groups: [{ teams: ['t'] }], ronaSeconds: 60 })],
  users: agentIds.map((id) => userSchema.parse({ id, name: id, login: id, site: 's', profile: 'agent', teams: ['t'] })),
  capacityTeams: [],
});

async function twoInstances(prefix: string) {
  const stateA = await RedisState.connect(redis.url, prefix);
  const stateB = await RedisState.connect(redis.url, prefix);
  const routerA = new Router(stateA, directory, { instanceId: 'core-a' });
  const routerB = new Router(stateB, directory, { instanceId: 'core-b' });
  const stop = async (): Promise<void> => {
    await Promise.all([routerA.stop(), routerB.stop()]);
    await Promise.all([stateA.close(), stateB.close()]);
  };
  return { stateA, stateB, routerA, routerB, stop };
}

describe('two core instances sharing one Redis', () => {
  it('a call queued on instance A is offered (to A, which holds the caller) for an agent logged in on B', async () => {
    const { stateB, routerA, routerB, stop } = await twoInstances('two-a:');
    const offersA: Offer[] = [];
    const offersB: Offer[] = [];
    routerA.on('offer', (offer) => offersA.push(offer));
    routerB.on('offer', (offer) => offersB.push(offer));
    await routerA.enqueue({ interactionId: 'call-1', queueId: 'q' });
    await stateB.applyAgentEvent('a1', { type: 'login', dialNumber: 'sip:agent7' }, Date.now());
    await stateB.applyAgentEvent('a1', { type: 'available' }, Date.now());
    await waitUntil(() => offersA.length > 0, 'the offer on instance A');
    expect(offersA[0]).toMatchObject({ agent: { agentId: 'a1', status: 'reserved', interactionId: 'call-1' }, call: { owner: 'core-a' } });
    expect(offersB).toEqual([]);
    expect(await stateB.agent('a1')).toMatchObject({ status: 'reserved', interactionId: 'call-1' });
    await stop();
  });

  it('both routing 20 calls for 5 agents at once: 5 reservations, one per agent, no call twice', async () => {
    const { stateA, stateB, routerA, routerB, stop } = await twoInstances('two-b:');
    const reservations: Array<Extract<RealtimeEvent, { type: 'reserved' }>> = [];
    stateA.subscribe((event) => {
      if (event.type === 'reserved') reservations.push(event);
    });
    for (let index = 0; index < 20; index++) await (index % 2 ? routerA : routerB).enqueue({ interactionId: `call-${index}`, queueId: 'q' });
    await Promise.all(agentIds.map(async (id, index) => {
      const state = index % 2 ? stateA : stateB;
      await state.applyAgentEvent(id, { type: 'login', dialNumber: `sip:${id}` }, Date.now());
      await state.applyAgentEvent(id, { type: 'available' }, Date.now());
    }));
    await waitUntil(() => reservations.length >= 5, '5 reservations');
    await Promise.all([routerA.settled(), routerB.settled()]);
    routerA.kick();
    routerB.kick();
    await Promise.all([routerA.settled(), routerB.settled()]);
    expect(new Set(reservations.map((event) => event.agent.agentId)).size).toBe(5);
    expect(new Set(reservations.map((event) => event.call.interactionId)).size).toBe(5);
    expect(reservations).toHaveLength(5);
    expect((await stateA.queued()).length).toBe(15);
    const agents = await stateB.agents();
    expect(agents.every((agent) => agent.status === 'reserved')).toBe(true);
    await stop();
  });
});
