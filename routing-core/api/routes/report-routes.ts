// Real-time and historical figures per queue and agent, and interaction history, all
// computed from the interaction events (plus shared state for what is happening now).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { canSeeAgent, canSeeQueue, requireRole } from '../auth/access-policy.js';
import { principalOf, type ApiContext } from '../api-context.js';
import { agentFigures, queueFigures, segmentsOf } from '../../reporting/interaction-stats.js';
import type { InteractionEvent } from '../../reporting/interaction-log.js';
import { routeSchema } from '../zod-schemas.js';

const range = routeSchema(z.strictObject({
  from: z.coerce.number().int().min(0).optional().describe('ms since epoch; default 24 h ago'),
  to: z.coerce.number().int().min(0).optional().describe('ms since epoch; default now'),
}));

export function registerReportRoutes(app: FastifyInstance, { runtime, metrics }: ApiContext): void {
  const { store, state } = runtime;
  const eventsIn = (query: { from?: number; to?: number }): InteractionEvent[] => {
    const now = runtime.clock();
    return runtime.log.list({ from: query.from ?? now - 86_400_000, to: query.to ?? now + 1 });
  };

  app.get('/api/v1/stats/queues', { schema: { tags: ['reports'], summary: 'Per queue: offered, answered, abandoned, ASA, AHT, service level; waiting and longest wait now', querystring: range } }, async (request) => {
    const principal = principalOf(request);
    requireRole(principal, 'admin', 'supervisor');
    const serviceLevel = (id: string): number => store.get('queues', id)?.entity.serviceLevelSeconds ?? 20;
    const figures = new Map(queueFigures(eventsIn(request.query as { from?: number }), serviceLevel).map((figure) => [figure.queueId, figure]));
    const now = runtime.clock();
    const queued = await state.queued();
    const result = [];
    for (const queue of store.list('queues')) {
      if (!canSeeQueue(principal, queue.id)) continue;
      const waiting = queued.filter((call) => call.queueId === queue.id);
      const info = await runtime.router.queueInfo(queue.id);
      result.push({
        ...(figures.get(queue.id) ?? { offered: 0, answered: 0, abandoned: 0, overflowed: 0, averageSpeedOfAnswerSeconds: null, averageHandleSeconds: null, serviceLevel: null }),
        queueId: queue.id, name: queue.name,
        waiting: waiting.length,
        longestWaitSeconds: waiting.length === 0 ? 0 : Math.max(...waiting.map((call) => (now - call.enqueuedAt) / 1000)),
        agentsAvailable: info.agentsAvailable,
        agentsStaffed: info.agentsStaffed,
      });
    }
    return result;
  });

  app.get('/api/v1/stats/agents', { schema: { tags: ['reports'], summary: 'Per agent: offered, answered, RONA, AHT; state now', querystring: range } }, async (request) => {
    const principal = principalOf(request);
    const figures = new Map(agentFigures(eventsIn(request.query as { from?: number })).map((figure) => [figure.agentId, figure]));
    const states = new Map((await state.agents()).map((agent) => [agent.agentId, agent]));
    return store.list('users').filter((user) => user.dialNumbers.length > 0 && canSeeAgent(principal, user)).map((user) => ({
      ...(figures.get(user.id) ?? { offered: 0, answered: 0, ringNoAnswer: 0, averageHandleSeconds: null }),
      agentId: user.id,
      status: states.get(user.id)?.status ?? 'logged-out',
      secondsInState: states.has(user.id) ? (runtime.clock() - (states.get(user.id)?.since ?? 0)) / 1000 : null,
    }));
  });

  app.get('/api/v1/interactions', { schema: { tags: ['reports'], summary: 'Interaction history: segments and outcome of each interaction', querystring: range } }, async (request) => {
    const principal = principalOf(request);
    const byInteraction = new Map<string, InteractionEvent[]>();
    for (const event of eventsIn(request.query as { from?: number })) {
      const list = byInteraction.get(event.interactionId) ?? [];
      list.push(event);
      byInteraction.set(event.interactionId, list);
    }
    const users = new Map(store.list('users').map((user) => [user.id, user]));
    const result = [];
    for (const [interactionId, events] of byInteraction) {
      const allowed = principal.profile.role === 'admin'
        || events.some((event) => (event.queueId && canSeeQueue(principal, event.queueId)) || (event.agentId && users.has(event.agentId) && canSeeAgent(principal, users.get(event.agentId) as never)));
      if (!allowed) continue;
      const segments = segmentsOf(events);
      result.push({ interactionId, start: events[0]?.at, segments, outcome: segments.at(-1)?.outcome ?? 'in progress' });
    }
    return result;
  });

  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    return reply.header('content-type', metrics.contentType).send(await metrics.metrics());
  });
}
