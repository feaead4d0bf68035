// Sign-in with a local login and password, refresh, and who am I.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { verifyPassword } from '../../entities/password-hash.js';
import { principalOf, publicUser, type ApiContext } from '../api-context.js';
import { Unauthorized } from '../api-errors.js';
import { routeSchema } from '../zod-schemas.js';

const tokenPair = routeSchema(z.object({ accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number() }));

export function registerAuthRoutes(app: FastifyInstance, { runtime, tokens }: ApiContext): void {
  app.post('/api/v1/auth/token', {
    config: { public: true },
    schema: {
      tags: ['auth'], summary: 'Sign in: an access token (short-lived) and a refresh token',
      body: routeSchema(z.strictObject({ login: z.string().min(1).max(100), password: z.string().min(1).max(200) })),
      response: { 200: tokenPair }, security: [],
    },
  }, async (request) => {
    const { login, password } = request.body as { login: string; password: string };
    const user = runtime.store.list('users').find((candidate) => candidate.login === login);
    // Same answer and the same work for an unknown login and a wrong password.
    const valid = await verifyPassword(password, user?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    if (!user || !user.passwordHash || !valid) throw new Unauthorized('wrong login or password');
    runtime.store.audit(user.login, 'sign-in', 'users', user.id, {});
    return tokens.issue(user.id);
  });

  app.post('/api/v1/auth/refresh', {
    config: { public: true },
    schema: {
      tags: ['auth'], summary: 'A new token pair for a refresh token', security: [],
      body: routeSchema(z.strictObject({ refreshToken: z.string().min(1) })), response: { 200: tokenPair },
    },
  }, async (request) => {
    const userId = await tokens.verifyRefresh((request.body as { refreshToken: string }).refreshToken);
    if (!runtime.store.exists('users', userId)) throw new Unauthorized('the user no longer exists');
    return tokens.issue(userId);
  });

  app.get('/api/v1/me', { schema: { tags: ['auth'], summary: 'The signed-in user, profile and tenant settings' } }, async (request) => {
    const principal = principalOf(request);
    return { user: publicUser(principal.user), profile: principal.profile, tenant: runtime.store.tenant() };
  });
}
