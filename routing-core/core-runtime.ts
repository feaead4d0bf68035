// One routing-core instance: the configuration store, shared real-time state, the router
// and the interaction log, with the operations the API and the call controller use. Every
// operation that changes an interaction records its event here, once, on the instance
// that owns the call.
import { EventEmitter } from 'node:events';
import type { AgentEvent, AgentState } from './agents/agent-state.js';
import type { ConfigStore } from './entities/config-store.js';
import { Router, type Offer } from './queues/router.js';
import { routingDirectory } from './queues/routing-directory.js';
import type { QueuedCall } from './queues/queued-call.js';
import { InteractionLog, type InteractionEvent } from './reporting/interaction-log.js';
import type { RealtimeEvent, SharedState } from './state/shared-state.js';

export interface CoreRuntimeOptions {
  instanceId: string;
  clock?: () => number;
  /** Route on events and timers (default); off in tests that step time themselves. */
  automatic?: boolean;
}

export class CoreRuntime extends EventEmitter<{ offer: [Offer]; realtime: [RealtimeEvent]; interaction: [InteractionEvent] }> {
  readonly router: Router;
  readonly log: InteractionLog;
  readonly clock: () => number;
  private readonly unsubscribe: () => void;

  constructor(readonly store: ConfigStore, readonly state: SharedState, options: CoreRuntimeOptions) {
    super();
    this.clock = options.clock ?? Date.now;
    this.log = new InteractionLog(store.db);
    this.log.onAppend((event) => this.emit('interaction', event));
    this.router = new Router(state, this.directory(), { instanceId: options.instanceId, clock: this.clock, automatic: options.automatic });
    store.on('change', () => this.router.setDirectory(this.directory()));
    this.router.on('offer', (offer) => {
      this.record(offer.call.interactionId, 'RINGING', offer.call.queueId, offer.agent.agentId);
      this.emit('offer', offer);
    });
    this.router.on('redirect', ({ call, target }) => this.record(call.interactionId, 'OVERFLOW', call.queueId, undefined, { waitSeconds: this.waited(call), target }));
    this.router.on('expired', ({ before, requeued }) => {
      if (before.status === 'reserved' && requeued) this.record(requeued.interactionId, 'RINGNOANSWER', requeued.queueId, before.agentId);
      if (before.status === 'wrap-up' && before.interactionId) {
        this.record(before.interactionId, 'WRAPUP', before.queueId, before.agentId, { code: null, wrapUpSeconds: (this.clock() - before.since) / 1000 });
      }
    });
    this.unsubscribe = state.subscribe((event) => this.emit('realtime', event));
  }

  get instanceId(): string {
    return this.router.instanceId;
  }

  async enterQueue(input: { interactionId: string; queueId: string; priority?: number; targetAgentId?: string }): Promise<QueuedCall> {
    const call = await this.router.enqueue(input);
    this.record(call.interactionId, 'ENTERQUEUE', call.queueId, undefined, { priority: call.priority, ...(input.targetAgentId ? { targetAgentId: input.targetAgentId } : {}) });
    return call;
  }

  async requestCallback(interactionId: string, number: string): Promise<QueuedCall | undefined> {
    const call = await this.router.requestCallback(interactionId, number);
    if (call) this.record(interactionId, 'CALLBACK', call.queueId);
    return call;
  }

  /** The caller hung up while waiting. */
  async abandon(interactionId: string): Promise<QueuedCall | undefined> {
    const call = await this.state.dequeue(interactionId, 'abandoned');
    if (call) this.record(interactionId, 'ABANDON', call.queueId, undefined, { waitSeconds: this.waited(call) });
    return call;
  }

  async answered(agentId: string, interactionId: string, callLeaseMs = 60_000): Promise<AgentState> {
    const call = await this.state.call(interactionId);
    const agent = await this.state.answer(agentId, interactionId, callLeaseMs, this.clock());
    this.record(interactionId, 'CONNECT', agent.queueId, agentId, { waitSeconds: call ? this.waited(call) : 0 });
    return agent;
  }

  async ringNoAnswer(agentId: string, interactionId: string): Promise<QueuedCall | undefined> {
    const call = await this.state.returnCall(agentId, interactionId, 'rona', this.clock());
    this.record(interactionId, 'RINGNOANSWER', call?.queueId, agentId);
    return call;
  }

  async ended(agentId: string, interactionId: string): Promise<AgentState> {
    const before = await this.state.agent(agentId);
    const after = await this.router.endInteraction(agentId, interactionId, this.clock());
    this.record(interactionId, 'COMPLETE', before?.queueId, agentId, { talkSeconds: before ? (this.clock() - before.since) / 1000 : 0 });
    return after;
  }

  /** Agent operations from the API: login, available, idle, logout, wrap-up done. */
  async agentEvent(agentId: string, event: AgentEvent): Promise<AgentState> {
    const before = await this.state.agent(agentId);
    const after = await this.state.applyAgentEvent(agentId, event, this.clock());
    if (event.type === 'wrap-up-done' && before?.interactionId) {
      this.record(before.interactionId, 'WRAPUP', before.queueId, agentId, { code: event.code ?? null, wrapUpSeconds: (this.clock() - before.since) / 1000 });
    }
    return after;
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    await this.router.stop();
  }

  private directory() {
    return routingDirectory({ queues: this.store.list('queues'), users: this.store.list('users'), capacityTeams: this.store.list('capacityTeams') });
  }

  private waited(call: QueuedCall): number {
    return Math.max(0, (this.clock() - call.enqueuedAt) / 1000);
  }

  private record(interactionId: string, event: InteractionEvent['event'], queueId?: string, agentId?: string, data?: Record<string, unknown>): void {
    this.log.append({ at: this.clock(), interactionId, event, ...(queueId ? { queueId } : {}), ...(agentId ? { agentId } : {}), ...(data ? { data } : {}) });
  }
}
