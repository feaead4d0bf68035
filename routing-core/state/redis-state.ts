// Shared state in Redis (Debian redis-server), so several core instances share queues
// and agents. Every change is an optimistic transaction (WATCH the keys it reads, then
// MULTI/EXEC the writes; EXEC fails and the change is retried when another instance
// touched them first), so the agent-state rules stay in one TypeScript function and a
// reservation takes an agent and a call together or not at all. EXEC clears every WATCH
// on a connection, so this instance runs its transactions one at a time.
import { Redis, type ChainableCommander } from 'ioredis';
import { expire, loggedOutAgent, nextAgentState, type AgentEvent, type AgentState, dueAt } from '../agents/agent-state.js';
import { HANDLE_TIME_WINDOW } from '../queues/estimated-wait.js';
import { compareQueuedCalls, type QueuedCall } from '../queues/queued-call.js';
import type { DequeueReason, DequeueTarget, Expiry, RealtimeEvent, SharedState } from './shared-state.js';

interface Plan<T> {
  result: T;
  writes?: (multi: ChainableCommander) => void;
  events?: RealtimeEvent[];
}

const MAX_ATTEMPTS = 100;

export class RedisState implements SharedState {
  readonly kind = 'redis';
  private readonly subscriber: Redis;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(event: RealtimeEvent) => void>();
  private readonly channel: string;

  private constructor(private readonly redis: Redis, private readonly prefix: string) {
    this.subscriber = redis.duplicate();
    this.channel = `${prefix}events`;
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const event = JSON.parse(message) as RealtimeEvent;
      for (const listener of this.listeners) listener(event);
    });
  }

  /** Connects and subscribes; `prefix` namespaces the keys (one contact center per prefix). */
  static async connect(url: string, prefix = 'vpop:core:'): Promise<RedisState> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    await redis.connect();
    const state = new RedisState(redis, prefix);
    await state.subscriber.subscribe(state.channel);
    return state;
  }

  private key(...parts: string[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }

  async agent(agentId: string): Promise<AgentState | undefined> {
    return parse<AgentState>(await this.redis.get(this.key('agent', agentId)));
  }

  async agents(): Promise<AgentState[]> {
    const ids = await this.redis.smembers(this.key('agents'));
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.key('agent', id)));
    return values.map((value) => parse<AgentState>(value)).filter((state): state is AgentState => state !== undefined);
  }

  applyAgentEvent(agentId: string, event: AgentEvent, now: number): Promise<AgentState> {
    const agentKey = this.key('agent', agentId);
    return this.transaction([agentKey], async () => {
      const current = parse<AgentState>(await this.redis.get(agentKey)) ?? loggedOutAgent(agentId, now);
      const next = nextAgentState(current, event, now);
      return { result: next, writes: (multi) => this.writeAgent(multi, next), events: [{ type: 'agent', state: next }] };
    });
  }

  async nextOrder(): Promise<number> {
    return this.redis.incr(this.key('order'));
  }

  enqueue(call: QueuedCall): Promise<void> {
    return this.transaction([], async () => ({
      result: undefined,
      writes: (multi) => multi.set(this.key('call', call.interactionId), JSON.stringify(call)).zadd(this.key('waiting'), call.order, call.interactionId),
      events: [{ type: 'queued', call }],
    }));
  }

  async queued(): Promise<QueuedCall[]> {
    const ids = await this.redis.zrange(this.key('waiting'), 0, -1);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.key('call', id)));
    return values.map((value) => parse<QueuedCall>(value)).filter((call): call is QueuedCall => call !== undefined).sort(compareQueuedCalls);
  }

  async call(interactionId: string): Promise<QueuedCall | undefined> {
    return parse<QueuedCall>(await this.redis.get(this.key('call', interactionId)));
  }

  updateQueued(call: QueuedCall): Promise<boolean> {
    const waiting = this.key('waiting');
    return this.transaction([waiting], async () => {
      if ((await this.redis.zscore(waiting, call.interactionId)) === null) return { result: false };
      return { result: true, writes: (multi) => multi.set(this.key('call', call.interactionId), JSON.stringify(call)) };
    });
  }

  dequeue(interactionId: string, reason: DequeueReason, target?: DequeueTarget): Promise<QueuedCall | undefined> {
    const waiting = this.key('waiting');
    const callKey = this.key('call', interactionId);
    return this.transaction([waiting, callKey], async () => {
      const call = parse<QueuedCall>(await this.redis.get(callKey));
      if (!call || (await this.redis.zscore(waiting, interactionId)) === null) return { result: undefined };
      return { result: call, writes: (multi) => multi.zrem(waiting, interactionId).del(callKey), events: [{ type: 'dequeued', call, reason, target }] };
    });
  }

  reserve(agentId: string, interactionId: string, leaseMs: number, owner: string, now: number): Promise<{ agent: AgentState; call: QueuedCall } | undefined> {
    const agentKey = this.key('agent', agentId);
    const waiting = this.key('waiting');
    const callKey = this.key('call', interactionId);
    return this.transaction([agentKey, waiting, callKey], async () => {
      const [agentText, callText, score] = await Promise.all([this.redis.get(agentKey), this.redis.get(callKey), this.redis.zscore(waiting, interactionId)]);
      const agent = parse<AgentState>(agentText);
      const call = parse<QueuedCall>(callText);
      if (!agent || agent.status !== 'available' || !call || score === null) return { result: undefined };
      const reserved = nextAgentState(agent, { type: 'reserve', interactionId, queueId: call.queueId, leaseMs, owner }, now);
      return {
        result: { agent: reserved, call },
        writes: (multi) => {
          this.writeAgent(multi, reserved);
          multi.zrem(waiting, interactionId);
        },
        events: [{ type: 'reserved', agent: reserved, call }, { type: 'agent', state: reserved }],
      };
    });
  }

  answer(agentId: string, interactionId: string, leaseMs: number, now: number): Promise<AgentState> {
    const agentKey = this.key('agent', agentId);
    return this.transaction([agentKey], async () => {
      const current = parse<AgentState>(await this.redis.get(agentKey)) ?? loggedOutAgent(agentId, now);
      const connected = nextAgentState(current, { type: 'answer', interactionId, leaseMs }, now);
      return {
        result: connected,
        writes: (multi) => {
          this.writeAgent(multi, connected);
          multi.del(this.key('call', interactionId));
        },
        events: [{ type: 'agent', state: connected }],
      };
    });
  }

  returnCall(agentId: string, interactionId: string, reason: 'rona' | 'cancelled', now: number): Promise<QueuedCall | undefined> {
    const agentKey = this.key('agent', agentId);
    const callKey = this.key('call', interactionId);
    return this.transaction([agentKey, callKey], async () => {
      const current = parse<AgentState>(await this.redis.get(agentKey)) ?? loggedOutAgent(agentId, now);
      const next = nextAgentState(current, reason === 'rona' ? { type: 'rona', interactionId } : { type: 'cancel', interactionId }, now);
      const call = parse<QueuedCall>(await this.redis.get(callKey));
      const events: RealtimeEvent[] = [{ type: 'agent', state: next }];
      if (call) events.push({ type: 'requeued', call, agentId, reason });
      return {
        result: call,
        writes: (multi) => {
          this.writeAgent(multi, next);
          if (call) multi.zadd(this.key('waiting'), call.order, interactionId);
        },
        events,
      };
    });
  }

  async expireDue(now: number): Promise<Expiry[]> {
    const due = await this.redis.zrangebyscore(this.key('due'), '-inf', now);
    const expiries: Expiry[] = [];
    for (const agentId of due) {
      const agentKey = this.key('agent', agentId);
      const expiry = await this.transaction([agentKey], async (): Promise<Plan<Expiry | undefined>> => {
        const before = parse<AgentState>(await this.redis.get(agentKey));
        const after = before && expire(before, now);
        if (!before || !after) return { result: undefined };
        const result: Expiry = { before, after };
        if (before.status === 'reserved' && before.interactionId) {
          result.requeued = parse<QueuedCall>(await this.redis.get(this.key('call', before.interactionId)));
        }
        const events: RealtimeEvent[] = [{ type: 'agent', state: after }];
        if (result.requeued) events.push({ type: 'requeued', call: result.requeued, agentId, reason: 'rona' });
        return {
          result,
          writes: (multi) => {
            this.writeAgent(multi, after);
            if (result.requeued) multi.zadd(this.key('waiting'), result.requeued.order, result.requeued.interactionId);
          },
          events,
        };
      });
      if (expiry) expiries.push(expiry);
    }
    return expiries;
  }

  claimCapacity(capacityTeamId: string, capacity: number): Promise<boolean> {
    const key = this.key('capacity', capacityTeamId);
    return this.transaction([key], async () => {
      const inUse = Number((await this.redis.get(key)) ?? 0);
      if (inUse >= capacity) return { result: false };
      return { result: true, writes: (multi) => multi.incr(key) };
    });
  }

  releaseCapacity(capacityTeamId: string): Promise<void> {
    const key = this.key('capacity', capacityTeamId);
    return this.transaction([key], async () => {
      const inUse = Number((await this.redis.get(key)) ?? 0);
      return { result: undefined, writes: inUse > 0 ? (multi) => multi.decr(key) : undefined };
    });
  }

  async capacityInUse(capacityTeamId: string): Promise<number> {
    return Number((await this.redis.get(this.key('capacity', capacityTeamId))) ?? 0);
  }

  async recordHandleTime(queueId: string, seconds: number): Promise<void> {
    const key = this.key('handle', queueId);
    await this.redis.multi().rpush(key, String(seconds)).ltrim(key, -HANDLE_TIME_WINDOW, -1).exec();
  }

  async handleTimes(queueId: string): Promise<number[]> {
    return (await this.redis.lrange(this.key('handle', queueId), 0, -1)).map(Number);
  }

  subscribe(listener: (event: RealtimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.chain.catch(() => undefined);
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => undefined);
  }

  private writeAgent(multi: ChainableCommander, state: AgentState): void {
    multi.set(this.key('agent', state.agentId), JSON.stringify(state)).sadd(this.key('agents'), state.agentId);
    const due = dueAt(state);
    if (due === undefined) multi.zrem(this.key('due'), state.agentId);
    else multi.zadd(this.key('due'), due, state.agentId);
  }

  /** WATCH `keys`, read and plan, then MULTI/EXEC; again when another client changed a watched key. */
  private async transaction<T>(keys: string[], plan: () => Promise<Plan<T>>): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const outcome = await this.exclusive(async (): Promise<{ committed: boolean; result?: T; events?: RealtimeEvent[] }> => {
        if (keys.length > 0) await this.redis.watch(...keys);
        let planned: Plan<T>;
        try {
          planned = await plan();
        } catch (error) {
          await this.redis.unwatch();
          throw error;
        }
        if (!planned.writes) {
          await this.redis.unwatch();
          return { committed: true, result: planned.result };
        }
        const multi = this.redis.multi();
        planned.writes(multi);
        const replies = await multi.exec();
        if (replies === null) return { committed: false };
        return { committed: true, result: planned.result, events: planned.events };
      });
      if (!outcome.committed) continue;
      for (const event of outcome.events ?? []) await this.redis.publish(this.channel, JSON.stringify(event));
      return outcome.result as T;
    }
    throw new Error(`redis transaction on ${keys.join(', ')} kept conflicting (${MAX_ATTEMPTS} attempts)`);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

function parse<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}
