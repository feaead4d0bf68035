// Shared state in this process: the embedded default for a single core.
import { EventEmitter } from 'node:events';
import { expire, loggedOutAgent, nextAgentState, type AgentEvent, type AgentState } from '../agents/agent-state.js';
import { HANDLE_TIME_WINDOW } from '../queues/estimated-wait.js';
import { compareQueuedCalls, type QueuedCall } from '../queues/queued-call.js';
import type { DequeueReason, DequeueTarget, Expiry, RealtimeEvent, SharedState } from './shared-state.js';

export class MemoryState implements SharedState {
  readonly kind = 'memory';
  private readonly agentStates = new Map<string, AgentState>();
  private readonly waiting = new Map<string, QueuedCall>();
  /** Calls reserved to an agent and not yet answered: kept to put back on RONA. */
  private readonly reservedCalls = new Map<string, QueuedCall>();
  private readonly capacity = new Map<string, number>();
  private readonly handle = new Map<string, number[]>();
  private readonly events = new EventEmitter<{ event: [RealtimeEvent] }>();
  private order = 0;

  async agent(agentId: string): Promise<AgentState | undefined> {
    return this.agentStates.get(agentId);
  }

  async agents(): Promise<AgentState[]> {
    return [...this.agentStates.values()];
  }

  async applyAgentEvent(agentId: string, event: AgentEvent, now: number): Promise<AgentState> {
    const next = nextAgentState(this.agentStates.get(agentId) ?? loggedOutAgent(agentId, now), event, now);
    this.agentStates.set(agentId, next);
    this.emit({ type: 'agent', state: next });
    return next;
  }

  async nextOrder(): Promise<number> {
    return ++this.order;
  }

  async enqueue(call: QueuedCall): Promise<void> {
    this.waiting.set(call.interactionId, call);
    this.emit({ type: 'queued', call });
  }

  async queued(): Promise<QueuedCall[]> {
    return [...this.waiting.values()].sort(compareQueuedCalls);
  }

  async call(interactionId: string): Promise<QueuedCall | undefined> {
    return this.waiting.get(interactionId) ?? this.reservedCalls.get(interactionId);
  }

  async updateQueued(call: QueuedCall): Promise<boolean> {
    if (!this.waiting.has(call.interactionId)) return false;
    this.waiting.set(call.interactionId, call);
    return true;
  }

  async dequeue(interactionId: string, reason: DequeueReason, target?: DequeueTarget): Promise<QueuedCall | undefined> {
    const call = this.waiting.get(interactionId);
    if (!call) return undefined;
    this.waiting.delete(interactionId);
    this.emit({ type: 'dequeued', call, reason, target });
    return call;
  }

  async reserve(agentId: string, interactionId: string, leaseMs: number, owner: string, now: number): Promise<{ agent: AgentState; call: QueuedCall } | undefined> {
    const agent = this.agentStates.get(agentId);
    const call = this.waiting.get(interactionId);
    if (!agent || agent.status !== 'available' || !call) return undefined;
    const reserved = nextAgentState(agent, { type: 'reserve', interactionId, queueId: call.queueId, leaseMs, owner }, now);
    this.agentStates.set(agentId, reserved);
    this.waiting.delete(interactionId);
    this.reservedCalls.set(interactionId, call);
    this.emit({ type: 'reserved', agent: reserved, call });
    this.emit({ type: 'agent', state: reserved });
    return { agent: reserved, call };
  }

  async answer(agentId: string, interactionId: string, leaseMs: number, now: number): Promise<AgentState> {
    const connected = await this.applyAgentEvent(agentId, { type: 'answer', interactionId, leaseMs }, now);
    this.reservedCalls.delete(interactionId);
    return connected;
  }

  async returnCall(agentId: string, interactionId: string, reason: 'rona' | 'cancelled', now: number): Promise<QueuedCall | undefined> {
    const call = this.reservedCalls.get(interactionId);
    await this.applyAgentEvent(agentId, reason === 'rona' ? { type: 'rona', interactionId } : { type: 'cancel', interactionId }, now);
    if (!call) return undefined;
    this.reservedCalls.delete(interactionId);
    this.waiting.set(interactionId, call);
    this.emit({ type: 'requeued', call, agentId, reason });
    return call;
  }

  async expireDue(now: number): Promise<Expiry[]> {
    const expiries: Expiry[] = [];
    for (const before of [...this.agentStates.values()]) {
      const after = expire(before, now);
      if (!after) continue;
      this.agentStates.set(before.agentId, after);
      const expiry: Expiry = { before, after };
      if (before.status === 'reserved' && before.interactionId) {
        const call = this.reservedCalls.get(before.interactionId);
        if (call) {
          this.reservedCalls.delete(before.interactionId);
          this.waiting.set(call.interactionId, call);
          expiry.requeued = call;
        }
      }
      expiries.push(expiry);
      this.emit({ type: 'agent', state: after });
      if (expiry.requeued) this.emit({ type: 'requeued', call: expiry.requeued, agentId: before.agentId, reason: 'rona' });
    }
    return expiries;
  }

  async claimCapacity(capacityTeamId: string, capacity: number): Promise<boolean> {
    const inUse = this.capacity.get(capacityTeamId) ?? 0;
    if (inUse >= capacity) return false;
    this.capacity.set(capacityTeamId, inUse + 1);
    return true;
  }

  async releaseCapacity(capacityTeamId: string): Promise<void> {
    this.capacity.set(capacityTeamId, Math.max(0, (this.capacity.get(capacityTeamId) ?? 0) - 1));
  }

  async capacityInUse(capacityTeamId: string): Promise<number> {
    return this.capacity.get(capacityTeamId) ?? 0;
  }

  async recordHandleTime(queueId: string, seconds: number): Promise<void> {
    const times = this.handle.get(queueId) ?? [];
    times.push(seconds);
    this.handle.set(queueId, times.slice(-HANDLE_TIME_WINDOW));
  }

  async handleTimes(queueId: string): Promise<number[]> {
    return [...(this.handle.get(queueId) ?? [])];
  }

  subscribe(listener: (event: RealtimeEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }

  private emit(event: RealtimeEvent): void {
    this.events.emit('event', event);
  }
}
