// Agent operations: log in with a dial number, available / idle with a reason code, wrap-up
// with a code, log out. An agent acts on itself; a supervisor on agents of its teams (e.g.
// logging out a stuck agent), and that is audited.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { loggedOutAgent, type AgentEvent } from '../../agents/agent-state.js';
import { entityId, type User } from '../../entities/entity-schemas.js';
import { EntityError } from '../../entities/entity-error.js';
import { canSeeAgent, requireAgentAccess } from '../auth/access-policy.js';
import { principalOf, type ApiContext } from '../api-context.js';
import { NotFound } from '../api-errors.js';
import { routeSchema } from '../zod-schemas.js';

const idParams = routeSchema(z.strictObject({ id: entityId }));
const pstnNumber = /^\+?[0-9]{3,20}$/;

export function registerAgentRoutes(app: FastifyInstance, { runtime }: ApiContext): void {
  const { store, state } = runtime;
  const agentUser = (id: string): User => {
    const user = store.get('users', id)?.entity;
    if (!user) throw new NotFound(`no agent "${id}"`);
    return user;
  };
  const view = async (user: User) => ({ agentId: user.id, name: user.name, teams: user.teams, state: (await state.agent(user.id)) ?? loggedOutAgent(user.id, 0) });

  app.get('/api/v1/agents', { schema: { tags: ['agents'], summary: 'Agents you may see, with their current state' } }, async (request) => {
    const principal = principalOf(request);
    const users = store.list('users').filter((user) => user.dialNumbers.length > 0 && canSeeAgent(principal, user));
    return Promise.all(users.map(view));
  });

  app.get('/api/v1/agents/:id', { schema: { tags: ['agents'], summary: 'One agent\'s state', params: idParams } }, async (request) => {
    const user = agentUser((request.params as { id: string }).id);
    requireAgentAccess(principalOf(request), user);
    return view(user);
  });

  const operate = (path: string, summary: string, body: z.ZodType | undefined, toEvent: (input: Record<string, unknown>, user: User) => AgentEvent): void => {
    app.post(`/api/v1/agents/:id/${path}`, { schema: { tags: ['agents'], summary, params: idParams, ...(body ? { body: routeSchema(body) } : {}) } }, async (request) => {
      const principal = principalOf(request);
      const user = agentUser((request.params as { id: string }).id);
      requireAgentAccess(principal, user);
      const event = toEvent((request.body ?? {}) as Record<string, unknown>, user);
      const after = await runtime.agentEvent(user.id, event);
      if (principal.user.id !== user.id) store.audit(principal.user.login, `agent-${event.type}`, 'agents', user.id, event);
      return { agentId: user.id, state: after };
    });
  };

  operate('login', 'Log in with a dial number (one of the agent\'s SIP phones, or a PSTN number)', z.strictObject({ dialNumber: z.string().min(1).max(100) }), (input, user) => {
    const dialNumber = String(input.dialNumber);
    if (!user.dialNumbers.includes(dialNumber) && !pstnNumber.test(dialNumber)) {
      throw new EntityError(400, [{ field: 'dialNumber', reason: `not one of ${user.id}'s phones (${user.dialNumbers.join(', ') || 'none'}) nor a PSTN number` }]);
    }
    return { type: 'login', dialNumber };
  });
  operate('state', 'Go available, or idle with a reason code', z.strictObject({ state: z.enum(['available', 'idle']), reason: z.string().min(1).max(40).optional() }), (input) => {
    if (input.state === 'available') return { type: 'available' };
    const reasons = store.tenant().idleReasons;
    if (typeof input.reason !== 'string' || !reasons.includes(input.reason)) {
      throw new EntityError(400, [{ field: 'reason', reason: `idle needs a reason code: one of ${reasons.join(', ')}` }]);
    }
    return { type: 'idle', reason: input.reason };
  });
  operate('wrap-up', 'End wrap-up with a wrap-up code; the agent is available again', z.strictObject({ code: z.string().min(1).max(40) }), (input) => {
    const codes = store.tenant().wrapUpCodes;
    if (!codes.includes(String(input.code))) throw new EntityError(400, [{ field: 'code', reason: `one of ${codes.join(', ')}` }]);
    return { type: 'wrap-up-done', code: String(input.code) };
  });
  operate('logout', 'Log out', undefined, () => ({ type: 'logout' }));
}
