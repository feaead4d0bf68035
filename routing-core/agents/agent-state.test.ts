import { describe, expect, it } from 'vitest';
import { AgentTransitionError, expire, loggedOutAgent, nextAgentState, type AgentEvent, type AgentState } from './agent-state.js';

const T0 = 1_000_000;
function run(events: Array<[AgentEvent, number]>): AgentState {
  return events.reduce((state, [event, at]) => nextAgentState(state, event, at), loggedOutAgent('a', T0));
}
const reserve = { type: 'reserve', interactionId: 'i1', queueId: 'q', leaseMs: 15_000, owner: 'core-1' } as const;

describe('agent states', () => {
  it('logs in idle, goes available, is reserved, answers, wraps up (timed) and is available again', () => {
    const connected = run([[{ type: 'login', dialNumber: 'sip:agent7' }, T0], [{ type: 'available' }, T0 + 1], [reserve, T0 + 2], [{ type: 'answer', interactionId: 'i1', leaseMs: 30_000 }, T0 + 3]]);
    expect(connected).toMatchObject({ status: 'connected', interactionId: 'i1', leaseExpiresAt: T0 + 30_003, dialNumber: 'sip:agent7' });
    const wrapUp = nextAgentState(connected, { type: 'end', interactionId: 'i1', wrapUpMs: 10_000 }, T0 + 100);
    expect(wrapUp).toMatchObject({ status: 'wrap-up', wrapUpEndsAt: T0 + 10_100 });
    expect(expire(wrapUp, T0 + 10_099)).toBeUndefined();
    expect(expire(wrapUp, T0 + 10_100)).toMatchObject({ status: 'available', availableSince: T0 + 10_100 });
    expect(nextAgentState(wrapUp, { type: 'wrap-up-done', code: 'resolved' }, T0 + 200)).toMatchObject({ status: 'available', reason: 'resolved', availableSince: T0 + 200 });
  });

  it('RONA: an unanswered reservation lapses to idle with reason RONA; a late answer is refused', () => {
    const reserved = run([[{ type: 'login', dialNumber: 'x' }, T0], [{ type: 'available' }, T0], [reserve, T0]]);
    expect(expire(reserved, T0 + 15_000)).toMatchObject({ status: 'idle', reason: 'RONA' });
    expect(() => nextAgentState(reserved, { type: 'answer', interactionId: 'i1', leaseMs: 1 }, T0 + 15_000)).toThrow(/reservation expired/);
    expect(nextAgentState(reserved, { type: 'rona', interactionId: 'i1' }, T0 + 5)).toMatchObject({ status: 'idle', reason: 'RONA' });
  });

  it('a connected state no renewed lease backs is reconciled to available', () => {
    const connected = run([[{ type: 'login', dialNumber: 'x' }, T0], [{ type: 'available' }, T0], [reserve, T0], [{ type: 'answer', interactionId: 'i1', leaseMs: 30_000 }, T0]]);
    const renewed = nextAgentState(connected, { type: 'renew', interactionId: 'i1', leaseMs: 30_000 }, T0 + 20_000);
    expect(expire(renewed, T0 + 30_000)).toBeUndefined();
    expect(expire(renewed, T0 + 50_000)).toMatchObject({ status: 'available' });
  });

  it('refuses what does not apply, saying why', () => {
    const idle = run([[{ type: 'login', dialNumber: 'x' }, T0]]);
    expect(() => nextAgentState(idle, reserve, T0)).toThrow(AgentTransitionError);
    expect(() => nextAgentState(loggedOutAgent('a', T0), { type: 'available' }, T0)).toThrow(/log in first/);
    const reserved = run([[{ type: 'login', dialNumber: 'x' }, T0], [{ type: 'available' }, T0], [reserve, T0]]);
    expect(() => nextAgentState(reserved, { type: 'logout' }, T0)).toThrow(/finish the interaction first/);
    expect(() => nextAgentState(reserved, { type: 'answer', interactionId: 'other', leaseMs: 1 }, T0)).toThrow(/not other/);
    expect(() => nextAgentState(reserved, reserve, T0)).toThrow(/not available/);
  });
});
