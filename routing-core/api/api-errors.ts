// One error shape for every refusal: { error, reason | problems }, with the status that says
// which kind (400 input, 401 who, 403 not allowed, 404, 409 conflict with what).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../platform/logging/logger.js';
import { AgentTransitionError } from '../agents/agent-state.js';
import { EntityError } from '../entities/entity-error.js';
import { AccessDenied } from './auth/access-policy.js';
import { TokenRefused } from './auth/token-service.js';
import { InputProblems } from './zod-schemas.js';

export class Unauthorized extends Error {
  readonly status = 401;
}

export class NotFound extends Error {
  readonly status = 404;
}

export function sendApiError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply, logger?: Logger): FastifyReply {
  if (error instanceof InputProblems) return reply.code(400).send({ error: 'invalid input', part: error.part, problems: error.problems });
  if (error instanceof EntityError) {
    const label = error.status === 400 ? 'invalid input' : error.status === 404 ? 'not found' : 'conflict';
    return reply.code(error.status).send({ error: label, problems: error.problems, ...(error.usedBy.length ? { usedBy: error.usedBy } : {}) });
  }
  if (error instanceof Unauthorized || error instanceof TokenRefused) {
    return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', reason: error.message });
  }
  if (error instanceof AccessDenied) return reply.code(403).send({ error: 'forbidden', reason: error.message });
  if (error instanceof NotFound) return reply.code(404).send({ error: 'not found', reason: error.message });
  if (error instanceof AgentTransitionError) return reply.code(409).send({ error: 'conflict', reason: error.message });
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send({ error: 'bad request', reason: error.message });
  logger?.error({ err: error, method: request.method, route: request.routeOptions.url }, 'API request failed');
  return reply.code(500).send({ error: 'internal error' });
}
