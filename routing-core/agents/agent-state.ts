// Agent states and the transitions between them, as one pure function: the in-memory and
// Redis stores both apply it (Redis inside an optimistic transaction), so the rules live
// once. Every state that ties an agent to a call carries a lease that expires.

export type AgentStatus = 'logged-out' | 'idle' | 'available' | 'reserved' | 'connected' | 'wrap-up';

export interface AgentState {
  agentId: string;
  status: AgentStatus;
  /** When the agent entered this status (ms since epoch). */
  since: number;
  /** When the agent last became available: the longest-available key. */
  availableSince?: number;
  /** Idle reason code, or the wrap-up code once chosen. */
  reason?: string;
  dialNumber?: string;
  /** The interaction the agent is reserved for, connected to or wrapping up. */
  interactionId?: string;
  queueId?: string;
  /** Reserved: ring time left (RONA); connected: the call's owner renews it while the call lives. */
  leaseExpiresAt?: number;
  /** Core instance that holds the lease (reserved/connected). */
  owner?: string;
  wrapUpEndsAt?: number;
}

const RONA_REASON = 'RONA';

export type AgentEvent =
  | { type: 'login'; dialNumber: string }
  | { type: 'available' }
  | { type: 'idle'; reason: string }
  | { type: 'logout' }
  | { type: 'reserve'; interactionId: string; queueId: string; leaseMs: number; owner: string }
  | { type: 'answer'; interactionId: string; leaseMs: number }
  | { type: 'renew'; interactionId: string; leaseMs: number }
  | { type: 'rona'; interactionId: string }
  | { type: 'cancel'; interactionId: string }
  | { type: 'end'; interactionId: string; wrapUpMs: number }
  | { type: 'wrap-up-done'; code?: string }
  | { type: 'expire' };

export class AgentTransitionError extends Error {
  constructor(readonly agentId: string, readonly from: AgentStatus, readonly event: AgentEvent['type'], reason: string) {
    super(`agent ${agentId} is ${from}: cannot ${event} (${reason})`);
    this.name = 'AgentTransitionError';
  }
}

export function loggedOutAgent(agentId: string, now: number): AgentState {
  return { agentId, status: 'logged-out', since: now };
}

/** The state after `event` at `now`; throws AgentTransitionError when the event does not apply. */
export function nextAgentState(state: AgentState, event: AgentEvent, now: number): AgentState {
  const refuse = (reason: string): never => {
    throw new AgentTransitionError(state.agentId, state.status, event.type, reason);
  };
  const base = { agentId: state.agentId, dialNumber: state.dialNumber, since: now };
  const sameInteraction = (interactionId: string): void => {
    if (state.interactionId !== interactionId) refuse(`it is on interaction ${state.interactionId ?? 'none'}, not ${interactionId}`);
  };
  switch (event.type) {
    case 'login':
      if (state.status !== 'logged-out') refuse('already logged in');
      return { ...base, dialNumber: event.dialNumber, status: 'idle', reason: 'login' };
    case 'available':
      if (state.status !== 'idle') refuse(state.status === 'logged-out' ? 'log in first' : 'only an idle agent can become available');
      return { ...base, status: 'available', availableSince: now };
    case 'idle':
      if (state.status !== 'idle' && state.status !== 'available') refuse('only an available or idle agent can go idle');
      return { ...base, status: 'idle', reason: event.reason };
    case 'logout':
      if (state.status !== 'idle' && state.status !== 'available' && state.status !== 'wrap-up') refuse('finish the interaction first');
      return { agentId: state.agentId, status: 'logged-out', since: now };
    case 'reserve':
      if (state.status !== 'available') refuse('not available');
      return {
        ...base, status: 'reserved', availableSince: state.availableSince, interactionId: event.interactionId, queueId: event.queueId,
        leaseExpiresAt: now + event.leaseMs, owner: event.owner,
      };
    case 'answer':
      if (state.status !== 'reserved') refuse('not reserved');
      sameInteraction(event.interactionId);
      if ((state.leaseExpiresAt ?? 0) <= now) refuse('the reservation expired');
      return { ...base, status: 'connected', interactionId: state.interactionId, queueId: state.queueId, owner: state.owner, leaseExpiresAt: now + event.leaseMs };
    case 'renew':
      if (state.status !== 'connected' && state.status !== 'reserved') refuse('no lease to renew');
      sameInteraction(event.interactionId);
      if (state.status === 'reserved') return state;
      return { ...state, leaseExpiresAt: now + event.leaseMs };
    case 'rona':
      if (state.status !== 'reserved') refuse('not reserved');
      sameInteraction(event.interactionId);
      return { ...base, status: 'idle', reason: RONA_REASON };
    case 'cancel':
      if (state.status !== 'reserved') refuse('not reserved');
      sameInteraction(event.interactionId);
      return { ...base, status: 'available', availableSince: state.availableSince ?? now };
    case 'end':
      if (state.status !== 'connected') refuse('not connected');
      sameInteraction(event.interactionId);
      if (event.wrapUpMs <= 0) return { ...base, status: 'available', availableSince: now };
      return { ...base, status: 'wrap-up', interactionId: state.interactionId, queueId: state.queueId, wrapUpEndsAt: now + event.wrapUpMs };
    case 'wrap-up-done':
      if (state.status !== 'wrap-up') refuse('not in wrap-up');
      return { ...base, status: 'available', availableSince: now, reason: event.code };
    case 'expire':
      return expire(state, now) ?? refuse('nothing has expired');
  }
}

/**
 * What a lapsed timer does: a reservation nobody answered is RONA, a call whose owner
 * stopped renewing it ended (the agent wraps up), a finished wrap-up makes the agent
 * available. Undefined when nothing is due.
 */
export function expire(state: AgentState, now: number): AgentState | undefined {
  if (state.status === 'reserved' && (state.leaseExpiresAt ?? Infinity) <= now) {
    return { agentId: state.agentId, dialNumber: state.dialNumber, since: now, status: 'idle', reason: RONA_REASON };
  }
  if (state.status === 'connected' && (state.leaseExpiresAt ?? Infinity) <= now) {
    return { agentId: state.agentId, dialNumber: state.dialNumber, since: now, status: 'available', availableSince: now };
  }
  if (state.status === 'wrap-up' && (state.wrapUpEndsAt ?? Infinity) <= now) {
    return { agentId: state.agentId, dialNumber: state.dialNumber, since: now, status: 'available', availableSince: now };
  }
  return undefined;
}

/** When this agent's next timer is due, if it has one. */
export function dueAt(state: AgentState): number | undefined {
  if (state.status === 'reserved' || state.status === 'connected') return state.leaseExpiresAt;
  if (state.status === 'wrap-up') return state.wrapUpEndsAt;
  return undefined;
}
