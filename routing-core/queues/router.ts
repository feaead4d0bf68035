// The router: puts calls in queues and, on every change (a call queued, an agent free, a
// group's wait or a lease lapsing), runs a routing pass: reconcile lapsed timers, then
// for each waiting call in serving order ask the pure selection for a decision and carry
// it out atomically in shared state. Passes are event-driven, with one timer at the next
// moment a decision can change (no polling loop). Several instances may route the same
// shared state: the atomic reservation decides, and offers go to the call's owner.
import { EventEmitter } from 'node:events';
import type { AgentState } from '../agents/agent-state.js';
import type { DequeueTarget, Expiry, RealtimeEvent, SharedState } from '../state/shared-state.js';
import { TeamIndexedPool } from './available-pool.js';
import { averageHandleSeconds, estimatedWaitSeconds } from './estimated-wait.js';
import { positionInQueue, type QueuedCall } from './queued-call.js';
import type { RoutingDirectory } from './routing-directory.js';
import { routeCall, type CapacityTeamView } from './select-agent.js';

export interface Offer {
  agent: AgentState;
  call: QueuedCall;
}

export interface QueueInfo {
  position?: number;
  estimatedWaitSeconds?: number;
  agentsAvailable: number;
  agentsStaffed: number;
  waiting: number;
}

export interface RouterEvents {
  /** A call this instance owns was reserved to an agent: ring the agent. */
  offer: [Offer];
  /** A call this instance owns left its queue for an overflow target or a capacity-based team. */
  redirect: [{ call: QueuedCall; reason: 'overflow' | 'capacity-team'; target?: DequeueTarget }];
  /** A call this instance owns came back to its queue (RONA, lease lapsed). */
  requeued: [{ call: QueuedCall; agentId: string }];
  expired: [Expiry];
  error: [Error];
}

export interface RouterOptions {
  instanceId: string;
  clock?: () => number;
  /** Run passes on events and timers; off in tests that drive time with route(now). */
  automatic?: boolean;
}

/** Longest a timer waits; also the bound on how late another instance's lapsed lease is noticed. */
const MAX_TIMER_MS = 1_000;

export class Router extends EventEmitter<RouterEvents> {
  readonly instanceId: string;
  private readonly clock: () => number;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(readonly state: SharedState, private directory: RoutingDirectory, options: RouterOptions) {
    super();
    this.instanceId = options.instanceId;
    this.clock = options.clock ?? Date.now;
    this.unsubscribe = state.subscribe((event) => this.onStateEvent(event, options.automatic ?? true));
    if (options.automatic ?? true) this.kick();
  }

  setDirectory(directory: RoutingDirectory): void {
    this.directory = directory;
    this.kick();
  }

  async enqueue(input: { interactionId: string; queueId: string; priority?: number; targetAgentId?: string; now?: number }): Promise<QueuedCall> {
    if (!this.directory.queue(input.queueId)) throw new Error(`no queue "${input.queueId}"`);
    const call: QueuedCall = {
      interactionId: input.interactionId, queueId: input.queueId, enqueuedAt: input.now ?? this.clock(), priority: input.priority ?? 0,
      order: await this.state.nextOrder(), owner: this.instanceId,
      ...(input.targetAgentId !== undefined ? { targetAgentId: input.targetAgentId } : {}),
    };
    await this.state.enqueue(call);
    return call;
  }

  /** Courtesy callback: the caller hangs up, keeps the place and is called back when an agent is reserved. */
  async requestCallback(interactionId: string, number: string): Promise<QueuedCall | undefined> {
    const call = await this.state.call(interactionId);
    if (!call) return undefined;
    const updated = { ...call, callback: { number } };
    return (await this.state.updateQueued(updated)) ? updated : undefined;
  }

  async queueInfo(queueId: string, interactionId?: string): Promise<QueueInfo> {
    const queue = this.directory.queue(queueId);
    if (!queue) throw new Error(`no queue "${queueId}"`);
    const [calls, agents, handle] = await Promise.all([this.state.queued(), this.state.agents(), this.state.handleTimes(queueId)]);
    const teams = new Set(queue.groups.flatMap((group) => ('teams' in group ? group.teams : [])));
    let staffed = 0;
    let available = 0;
    for (const agent of agents) {
      const user = this.directory.user(agent.agentId);
      if (!user || !user.teams.some((team) => teams.has(team))) continue;
      if (agent.status === 'logged-out' || agent.status === 'idle') continue;
      staffed++;
      if (agent.status === 'available') available++;
    }
    const position = interactionId === undefined ? undefined : positionInQueue(calls, interactionId);
    const aht = averageHandleSeconds(handle, queue.defaultHandleSeconds);
    return {
      ...(position !== undefined ? { position } : {}),
      ...(position !== undefined ? { estimatedWaitSeconds: estimatedWaitSeconds(position, aht, staffed) } : {}),
      agentsAvailable: available,
      agentsStaffed: staffed,
      waiting: calls.filter((call) => call.queueId === queueId).length,
    };
  }

  /** The agent's conversation ended: wrap-up (timed by the queue) and the handle time for the wait estimate. */
  async endInteraction(agentId: string, interactionId: string, now = this.clock()): Promise<AgentState> {
    const agent = await this.state.agent(agentId);
    const queue = agent?.queueId ? this.directory.queue(agent.queueId) : undefined;
    const wrapUpMs = (queue?.wrapUpSeconds ?? 0) * 1000;
    const ended = await this.state.applyAgentEvent(agentId, { type: 'end', interactionId, wrapUpMs }, now);
    if (agent?.queueId && agent.status === 'connected') {
      await this.state.recordHandleTime(agent.queueId, (now - agent.since) / 1000 + wrapUpMs / 1000);
    }
    return ended;
  }

  /** Rings the agent for the queue's RONA timeout: that is the reservation's lease. */
  ronaMs(queueId: string): number {
    return (this.directory.queue(queueId)?.ronaSeconds ?? 15) * 1000;
  }

  /**
   * One routing pass at `now`: lapsed timers first, then every waiting call in serving
   * order (agent-specific calls first, they can go nowhere else). Returns when the next
   * pass is due for time alone (a group opens, max wait), if ever.
   */
  async route(now = this.clock()): Promise<number | undefined> {
    for (const expiry of await this.state.expireDue(now)) this.emit('expired', expiry);
    const [calls, agents] = await Promise.all([this.state.queued(), this.state.agents()]);
    const pool = new TeamIndexedPool(agents, this.directory);
    let nextReview: number | undefined;
    const consider = (at: number | undefined): void => {
      if (at !== undefined) nextReview = nextReview === undefined ? at : Math.min(nextReview, at);
    };
    for (const agent of agents) {
      if (agent.status === 'reserved' || agent.status === 'connected') consider(agent.leaseExpiresAt);
      if (agent.status === 'wrap-up') consider(agent.wrapUpEndsAt);
    }
    const capacityViews = new Map<string, CapacityTeamView>();
    for (const call of [...calls.filter((c) => c.targetAgentId !== undefined), ...calls.filter((c) => c.targetAgentId === undefined)]) {
      const queue = this.directory.queue(call.queueId);
      if (!queue) continue;
      if (pool.size === 0 && call.targetAgentId === undefined && !queue.groups.some((group) => 'capacityTeam' in group) && queue.maxWaitSeconds === undefined) continue;
      for (const group of queue.groups) {
        if ('capacityTeam' in group && !capacityViews.has(group.capacityTeam)) {
          const team = this.directory.capacityTeam(group.capacityTeam);
          if (team) capacityViews.set(team.id, { id: team.id, number: team.number, capacity: team.capacity, inUse: await this.state.capacityInUse(team.id) });
        }
      }
      const decision = routeCall(call, queue, pool, now, (id) => capacityViews.get(id));
      switch (decision.kind) {
        case 'agent': {
          const reserved = await this.state.reserve(decision.agentId, call.interactionId, this.ronaMs(call.queueId), this.instanceId, now);
          pool.remove(decision.agentId);
          if (reserved) consider(reserved.agent.leaseExpiresAt);
          break;
        }
        case 'capacity-team': {
          const view = capacityViews.get(decision.capacityTeamId);
          if (!view || !(await this.state.claimCapacity(view.id, view.capacity))) break;
          view.inUse++;
          const target = { capacityTeamId: decision.capacityTeamId, number: decision.number };
          if (!(await this.state.dequeue(call.interactionId, 'capacity-team', target))) await this.state.releaseCapacity(view.id);
          break;
        }
        case 'overflow':
          await this.state.dequeue(call.interactionId, 'overflow', decision.target);
          break;
        case 'wait':
          consider(decision.reviewAt);
          break;
      }
    }
    return nextReview;
  }

  /** Ask for a pass soon; passes never overlap on one instance. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const next = await this.route();
          this.arm(next);
        } catch (error) {
          this.emit('error', error as Error);
          this.arm(this.clock() + MAX_TIMER_MS);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Waits for the pass in progress (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.settled();
  }

  private arm(next: number | undefined): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, (next ?? Infinity) - this.clock()));
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  private onStateEvent(event: RealtimeEvent, automatic: boolean): void {
    if (event.type === 'reserved' && event.call.owner === this.instanceId) this.emit('offer', { agent: event.agent, call: event.call });
    if (event.type === 'dequeued' && event.call.owner === this.instanceId && (event.reason === 'overflow' || event.reason === 'capacity-team')) {
      this.emit('redirect', { call: event.call, reason: event.reason, target: event.target });
    }
    if (event.type === 'requeued' && event.call.owner === this.instanceId) this.emit('requeued', { call: event.call, agentId: event.agentId });
    const changesRouting = event.type === 'queued' || event.type === 'requeued' || (event.type === 'agent' && event.state.status === 'available');
    if (automatic && changesRouting) this.kick();
  }
}
