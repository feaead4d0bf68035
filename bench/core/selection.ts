// Agent selection at scale: 10,000 agents, 1,000 queues. Measures (1) the pure selection
// (routeCall) latency, p50/p99/max, with every agent available (the widest scan), and
// (2) routing decisions per second end to end (router pass: read shared state, decide,
// reserve atomically), in memory and on a real redis-server.
// Run: npm run build && node dist/bench/core/selection.js [--decisions 100000] [--routed 2000]
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { queueSchema, userSchema, type Queue, type User } from '../../routing-core/entities/entity-schemas.js';
import { TeamIndexedPool } from '../../routing-core/queues/available-pool.js';
import { Router } from '../../routing-core/queues/router.js';
import { routingDirectory } from '../../routing-core/queues/routing-directory.js';
import { routeCall } from '../../routing-core/queues/select-agent.js';
import { MemoryState } from '../../routing-core/state/memory-state.js';
import { RedisState } from '../../routing-core/state/redis-state.js';
import type { SharedState } from '../../routing-core/state/shared-state.js';
import { startRedisServer } from '../../routing-core/state/testing/redis-server.js';

const { values } = parseArgs({ options: { decisions: { type: 'string', default: '100000' }, routed: { type: 'string', default: '2000' } } });
const AGENTS = 10_000;
const QUEUES = 1_000;
const TEAMS = 500;
const SKILLS = ['english', 'spanish', 'billing', 'tech', 'sales'];

// Deterministic pseudo-random numbers so runs compare.
let seed = 42;
const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

const users: User[] = [];
for (let index = 0; index < AGENTS; index++) {
  const team = index % TEAMS;
  const skills: Record<string, number> = {};
  for (const skill of SKILLS) if (random() < 0.6) skills[skill] = 1 + Math.floor(random() * 10);
  users.push(userSchema.parse({ id: `a${index}`, name: `A${index}`, login: `a${index}`, site: 's', profile: 'agent', teams: [`t${team}`, `t${(team + 7) % TEAMS}`], skills }));
}
const queues: Queue[] = [];
for (let index = 0; index < QUEUES; index++) {
  const team = index % TEAMS;
  queues.push(queueSchema.parse({
    id: `q${index}`, name: `Q${index}`, algorithm: index % 2 ? 'best-available' : 'longest-available',
    skills: index % 3 === 0 ? {} : { [SKILLS[index % SKILLS.length] as string]: 1 + (index % 5) },
    groups: [{ teams: [`t${team}`, `t${(team + 1) % TEAMS}`] }, { afterSeconds: 30, teams: [`t${(team + 2) % TEAMS}`, `t${(team + 3) % TEAMS}`] }],
  }));
}
const directory = routingDirectory({ queues, users, capacityTeams: [] });
const now = 1_700_000_000_000;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function pureSelection(decisions: number): void {
  const pool = new TeamIndexedPool(users.map((user, index) => ({ agentId: user.id, status: 'available' as const, since: now - index, availableSince: now - (index * 7919) % 100_000 })), directory);
  const samples = new Float64Array(decisions);
  let matched = 0;
  for (let index = 0; index < decisions; index++) {
    const queue = queues[Math.floor(random() * QUEUES)] as Queue;
    const call = { interactionId: `c${index}`, queueId: queue.id, enqueuedAt: now - Math.floor(random() * 60_000), priority: 0, order: index, owner: 'bench' };
    const start = process.hrtime.bigint();
    const decision = routeCall(call, queue, pool, now, () => undefined);
    samples[index] = Number(process.hrtime.bigint() - start) / 1e6;
    if (decision.kind === 'agent') matched++;
  }
  samples.sort();
  console.log(JSON.stringify({
    bench: 'pure selection (routeCall), all 10,000 agents available', decisions, matched,
    p50Ms: +percentile(samples, 50).toFixed(4), p99Ms: +percentile(samples, 99).toFixed(4), maxMs: +(samples[samples.length - 1] as number).toFixed(4),
  }));
}

async function routedPerSecond(state: SharedState, calls: number): Promise<void> {
  const router = new Router(state, directory, { instanceId: 'bench', automatic: false, clock: () => now });
  for (const user of users) {
    await state.applyAgentEvent(user.id, { type: 'login', dialNumber: 'x' }, now - 1000);
    await state.applyAgentEvent(user.id, { type: 'available' }, now - 1000 + Math.floor(random() * 900));
  }
  for (let index = 0; index < calls; index++) {
    await router.enqueue({ interactionId: `call-${index}`, queueId: `q${Math.floor(random() * QUEUES)}`, now: now - 1 });
  }
  const start = process.hrtime.bigint();
  await router.route(now);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const reserved = (await state.agents()).filter((agent) => agent.status === 'reserved').length;
  console.log(JSON.stringify({
    bench: `routing pass with reservations (${state.kind})`, agents: AGENTS, queues: QUEUES, callsQueued: calls, reserved,
    seconds: +seconds.toFixed(3), decisionsPerSecond: Math.round(reserved / seconds),
  }));
  await router.stop();
}

console.log(JSON.stringify({ machine: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`, loadavg: loadavg().map((value) => +value.toFixed(1)), node: process.version }));
pureSelection(Number(values.decisions));
await routedPerSecond(new MemoryState(), Number(values.routed));
const redis = await startRedisServer();
try {
  const state = await RedisState.connect(redis.url, 'bench:');
  await routedPerSecond(state, Number(values.routed));
  await state.close();
} finally {
  await redis.stop();
}
