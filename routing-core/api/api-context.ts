// What every route module gets: the core, the token service and how to find the caller.
import type {} from '@fastify/swagger';
import type { FastifyRequest } from 'fastify';
import type { CoreRuntime } from '../core-runtime.js';
import type { User } from '../entities/entity-schemas.js';
import type { Principal } from './auth/access-policy.js';
import type { TokenService } from './auth/token-service.js';
import type { Registry } from 'prom-client';

export interface ApiContext {
  runtime: CoreRuntime;
  tokens: TokenService;
  metrics: Registry;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** No bearer token needed (sign-in, OpenAPI document, metrics). */
    public?: boolean;
  }
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route is protected but has no principal');
  return request.principal;
}

/** A user as the API shows it: never the password hash. */
export function publicUser(user: User): Omit<User, 'passwordHash'> & { hasPassword: boolean } {
  const { passwordHash, ...rest } = user;
  return { ...rest, hasPassword: passwordHash !== undefined };
}
