// Real-time state shared by every core instance: agents' states, queued calls, the
// reservations that tie them, capacity-team counters and recent handle times. Two
// implementations pass the same contract tests: in this process (the embedded default)
// and Redis (several instances share queues and agents). Every change that must be
// atomic (a reservation takes one agent and one call, or nothing) is one operation here.
import type { AgentEvent, AgentState } from '../agents/agent-state.js';
import type { QueuedCall } from '../queues/queued-call.js';
import type { Overflow } from '../entities/entity-schemas.js';

export type RealtimeEvent =
  | { type: 'agent'; state: AgentState }
  | { type: 'queued'; call: QueuedCall }
  | { type: 'dequeued'; call: QueuedCall; reason: DequeueReason; target?: DequeueTarget }
  | { type: 'reserved'; agent: AgentState; call: QueuedCall }
  | { type: 'requeued'; call: QueuedCall; agentId: string; reason: 'rona' | 'cancelled' };

export type DequeueReason = 'abandoned' | 'overflow' | 'capacity-team' | 'transferred';
/** Where a call that left its queue goes: the queue's overflow target or a capacity-based team's number. */
export type DequeueTarget = Overflow | { capacityTeamId: string; number: string };

/** A lapsed timer the store acted on: the agent's state before and after, and a call put back. */
export interface Expiry {
  before: AgentState;
  after: AgentState;
  requeued?: QueuedCall;
}

export interface SharedState {
  readonly kind: 'memory' | 'redis';

  agent(agentId: string): Promise<AgentState | undefined>;
  agents(): Promise<AgentState[]>;
  /** Applies one agent event atomically; throws AgentTransitionError when it does not apply. */
  applyAgentEvent(agentId: string, event: AgentEvent, now: number): Promise<AgentState>;

  /** A new arrival order, increasing across instances. */
  nextOrder(): Promise<number>;
  enqueue(call: QueuedCall): Promise<void>;
  /** Every queued call, in serving order (compareQueuedCalls). */
  queued(): Promise<QueuedCall[]>;
  /** A call waiting or reserved (not yet answered). */
  call(interactionId: string): Promise<QueuedCall | undefined>;
  /** Replaces a queued call's record (e.g. it became a callback); false when it is not queued. */
  updateQueued(call: QueuedCall): Promise<boolean>;
  /** Takes a waiting call out of its queue (abandon, overflow); undefined when it was not waiting. */
  dequeue(interactionId: string, reason: DequeueReason, target?: DequeueTarget): Promise<QueuedCall | undefined>;

  /**
   * Atomically: the agent is available and the call is waiting, so the agent becomes
   * reserved for the call (a lease of leaseMs) and the call leaves the queue. Undefined
   * when either was taken first; never both halves of a reservation.
   */
  reserve(agentId: string, interactionId: string, leaseMs: number, owner: string, now: number): Promise<{ agent: AgentState; call: QueuedCall } | undefined>;
  /** The agent answered in time: connected, with a call lease the owner renews. Throws when the lease lapsed. */
  answer(agentId: string, interactionId: string, leaseMs: number, now: number): Promise<AgentState>;
  /** Ring no answer / offer failed: the agent goes idle (RONA) or available (cancel) and the call returns to its place. */
  returnCall(agentId: string, interactionId: string, reason: 'rona' | 'cancelled', now: number): Promise<QueuedCall | undefined>;
  /** Acts on every lapsed lease and finished wrap-up (reconciliation); returns what it changed. */
  expireDue(now: number): Promise<Expiry[]>;

  /** Counts a call to a capacity-based team when under capacity; false when full. */
  claimCapacity(capacityTeamId: string, capacity: number): Promise<boolean>;
  releaseCapacity(capacityTeamId: string): Promise<void>;
  capacityInUse(capacityTeamId: string): Promise<number>;

  recordHandleTime(queueId: string, seconds: number): Promise<void>;
  /** The queue's recent handle times, oldest first (at most HANDLE_TIME_WINDOW). */
  handleTimes(queueId: string): Promise<number[]>;

  /** Change events of every instance (Redis: pub/sub), including this one's. */
  subscribe(listener: (event: RealtimeEvent) => void): () => void;
  close(): Promise<void>;
}
