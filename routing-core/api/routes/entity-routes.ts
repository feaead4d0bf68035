// CRUD for every configuration entity, plus the tenant settings. Writes are for admins
// and go to the audit log; supervisors read what their profile lets them see.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { tenantSchema, type User } from '../../entities/entity-schemas.js';
import { entityKinds, entitySchemas, kindLabel, type AnyEntity, type EntityKind } from '../../entities/entity-kinds.js';
import { hashPassword } from '../../entities/password-hash.js';
import { canSeeAgent, canSeeQueue, requireRole, type Principal } from '../auth/access-policy.js';
import { principalOf, publicUser, type ApiContext } from '../api-context.js';
import { NotFound } from '../api-errors.js';
import { routeSchema } from '../zod-schemas.js';
import { entityId } from '../../entities/entity-schemas.js';
import { EntityError } from '../../entities/entity-error.js';

const idParams = routeSchema(z.strictObject({ id: entityId }));

function visible(principal: Principal, kind: EntityKind, entity: AnyEntity): boolean {
  if (principal.profile.role === 'admin') return true;
  if (kind === 'users') return canSeeAgent(principal, entity as User);
  if (kind === 'queues') return canSeeQueue(principal, entity.id);
  return principal.profile.role === 'supervisor';
}

function shown(kind: EntityKind, entity: AnyEntity): unknown {
  return kind === 'users' ? publicUser(entity as User) : entity;
}

export function registerEntityRoutes(app: FastifyInstance, { runtime }: ApiContext): void {
  const { store } = runtime;
  for (const kind of entityKinds) {
    const label = kindLabel(kind);
    const body = routeSchema(entitySchemas[kind]);
    const tags = [kind];
    app.get(`/api/v1/${kind}`, { schema: { tags, summary: `List ${label}s you may see` } }, async (request) => {
      const principal = principalOf(request);
      if (principal.profile.role === 'agent' && kind !== 'users') requireRole(principal, 'admin', 'supervisor');
      return store.list(kind).filter((entity) => visible(principal, kind, entity)).map((entity) => shown(kind, entity));
    });
    app.get(`/api/v1/${kind}/:id`, { schema: { tags, summary: `One ${label}`, params: idParams } }, async (request) => {
      const principal = principalOf(request);
      const { id } = request.params as { id: string };
      const stored = store.get(kind, id);
      if (!stored) throw new NotFound(`no ${label} "${id}"`);
      if (!visible(principal, kind, stored.entity)) requireRole(principal, 'admin');
      return shown(kind, stored.entity);
    });
    app.post(`/api/v1/${kind}`, { schema: { tags, summary: `Create a ${label} (admin)`, body } }, async (request, reply) => {
      const principal = principalOf(request);
      requireRole(principal, 'admin');
      const entity = request.body as AnyEntity;
      if (store.exists(kind, entity.id)) throw new EntityError(409, [{ field: 'id', reason: `${label} "${entity.id}" exists; PUT /api/v1/${kind}/${entity.id} replaces it` }]);
      const stored = store.put(kind, entity, principal.user.login);
      return reply.code(201).header('location', `/api/v1/${kind}/${entity.id}`).send(shown(kind, stored.entity));
    });
    app.put(`/api/v1/${kind}/:id`, { schema: { tags, summary: `Create or replace a ${label} (admin)`, params: idParams, body } }, async (request, reply) => {
      const principal = principalOf(request);
      requireRole(principal, 'admin');
      const { id } = request.params as { id: string };
      const entity = request.body as AnyEntity;
      if (entity.id !== id) throw new EntityError(400, [{ field: 'id', reason: `must be "${id}", the id in the path` }]);
      const stored = store.put(kind, entity, principal.user.login);
      return reply.code(stored.created ? 201 : 200).send(shown(kind, stored.entity));
    });
    app.delete(`/api/v1/${kind}/:id`, { schema: { tags, summary: `Delete a ${label} (admin); 409 names what still uses it`, params: idParams } }, async (request, reply) => {
      const principal = principalOf(request);
      requireRole(principal, 'admin');
      store.delete(kind, (request.params as { id: string }).id, principal.user.login);
      return reply.code(204).send();
    });
  }

  app.post('/api/v1/users/:id/password', {
    schema: { tags: ['users'], summary: 'Set a user\'s password (admin, or the user itself)', params: idParams, body: routeSchema(z.strictObject({ password: z.string().min(8).max(200) })) },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { id } = request.params as { id: string };
    if (principal.user.id !== id) requireRole(principal, 'admin');
    const stored = store.get('users', id);
    if (!stored) throw new NotFound(`no user "${id}"`);
    store.put('users', { ...stored.entity, passwordHash: await hashPassword((request.body as { password: string }).password) }, principal.user.login);
    return reply.code(204).send();
  });

  app.get('/api/v1/tenant', { schema: { tags: ['tenant'], summary: 'Tenant settings' } }, async () => store.tenant());
  app.put('/api/v1/tenant', { schema: { tags: ['tenant'], summary: 'Replace the tenant settings (admin)', body: routeSchema(tenantSchema) } }, async (request) => {
    const principal = principalOf(request);
    requireRole(principal, 'admin');
    return store.setTenant(request.body, principal.user.login);
  });

  app.get('/api/v1/audit', {
    schema: { tags: ['audit'], summary: 'The audit log, newest first (admin)', querystring: routeSchema(z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) })) },
  }, async (request) => {
    requireRole(principalOf(request), 'admin');
    return store.auditLog((request.query as { limit: number }).limit);
  });
}
