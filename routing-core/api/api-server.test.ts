// The API through real HTTP and a real WebSocket: OpenAPI validity, authentication,
// CRUD of every entity with validation errors, role and scope refusals, agent operations,
// push, reporting and metrics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadCoreFile } from '../provisioning/load-core-file.js';
import { startCore, type RunningCore } from '../start-core.js';
import { waitUntil } from '../../test/support/wait-until.js';

let core: RunningCore;
let jwksServer: Server;
let oidcKey: Parameters<SignJWT['sign']>[0];
const tokens = new Map<string, string>();

beforeAll(async () => {
  const keys = await generateKeyPair('RS256');
  oidcKey = keys.privateKey;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwksServer = createServer((_request, response) => response.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const config = loadCoreFile(new URL('../../configs/core/local.yaml', import.meta.url).pathname);
  config.core.database = ':memory:';
  config.core.auth.oidc = {
    issuer: 'https://idp.example.test', audience: 'vpop', loginClaim: 'preferred_username',
    jwksUrl: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`,
  };
  core = await startCore(config, { port: 0 });
  for (const login of ['admin', 'sam', 'alice', 'bob']) tokens.set(login, (await signIn(login, 'demo')).body.accessToken as string);
});

afterAll(async () => {
  await core?.stop();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

async function call(method: string, path: string, options: { as?: string; token?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> & Array<Record<string, unknown>> }> {
  const token = options.token ?? (options.as ? tokens.get(options.as) : undefined);
  const response = await fetch(`${core.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}
const signIn = (login: string, password: string) => call('POST', '/api/v1/auth/token', { body: { login, password } });

describe('routing core API', () => {
  it('serves a valid OpenAPI 3 document at /openapi.json describing every route', async () => {
    const { status, body } = await call('GET', '/openapi.json');
    expect(status).toBe(200);
    const result = await new Validator().validate(body as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    const paths = Object.keys(body.paths as object);
    for (const path of ['/api/v1/queues', '/api/v1/queues/{id}', '/api/v1/flows', '/api/v1/entryPoints', '/api/v1/agents/{id}/login', '/api/v1/stats/queues', '/api/v1/auth/token']) {
      expect(paths).toContain(path);
    }
  });

  it('401 with a reason for no token, a malformed header, a bad signature, a refresh token used for access', async () => {
    expect(await call('GET', '/api/v1/queues')).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'no bearer token' } });
    expect((await call('GET', '/api/v1/queues', { token: 'not-a-jwt' })).status).toBe(401);
    const admin = tokens.get('admin') as string;
    const forged = `${admin.slice(0, admin.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    expect((await call('GET', '/api/v1/queues', { token: forged })).body.reason).toBe('token signature does not verify');
    const pair = (await signIn('admin', 'demo')).body;
    expect((await call('GET', '/api/v1/queues', { token: pair.refreshToken as string })).body.reason).toBe('a refresh token cannot be used as a access token');
    expect(await signIn('admin', 'wrong')).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'wrong login or password' } });
    expect((await signIn('nobody', 'demo')).body.reason).toBe('wrong login or password');
  });

  it('refresh gives a new working pair; an access token is not a refresh token', async () => {
    const pair = (await signIn('bob', 'demo')).body;
    const refreshed = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect((await call('GET', '/api/v1/me', { token: refreshed.body.accessToken as string })).body).toMatchObject({ user: { id: 'bob', hasPassword: true }, profile: { role: 'agent' } });
    expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.accessToken } })).status).toBe(401);
  });

  it('accepts tokens from an external OIDC issuer, verified against its JWKS', async () => {
    const sign = (claims: Record<string, unknown>, audience = 'vpop') => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://idp.example.test').setAudience(audience).setExpirationTime('2m').sign(oidcKey);
    expect((await call('GET', '/api/v1/me', { token: await sign({ preferred_username: 'carol' }) })).body).toMatchObject({ user: { id: 'carol' } });
    expect((await call('GET', '/api/v1/me', { token: await sign({ preferred_username: 'carol' }, 'other') })).body.reason).toBe('token claim aud is not acceptable');
    expect((await call('GET', '/api/v1/me', { token: await sign({ preferred_username: 'mallory' }) })).body.reason).toBe('the token names no user of this core');
  });

  it('CRUD of every entity kind, with 400 naming the field and why', async () => {
    const samples: Record<string, [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, string]> = {
      sites: [{ id: 'remote', name: 'Remote' }, { name: 'Remote site' }, { name: 7 }, 'name'],
      teams: [{ id: 'night', name: 'Night', site: 'local' }, { name: 'Night shift' }, { site: 'nowhere' }, 'site'],
      capacityTeams: [{ id: 'bureau2', name: 'B2', number: '18005550188', capacity: 3 }, { capacity: 4 }, { capacity: 0 }, 'capacity'],
      profiles: [{ id: 'night-sup', role: 'supervisor', teams: ['sales-team'] }, { queues: ['sales'] }, { role: 'root' }, 'role'],
      users: [{ id: 'dave', name: 'Dave', login: 'dave', site: 'local', profile: 'agent', teams: ['sales-team'], skills: { sales: 3 }, dialNumbers: ['15551230009'] }, { skills: { sales: 5 } }, { skills: { sales: 11 } }, 'skills.sales'],
      queues: [{ id: 'vip', name: 'VIP', groups: [{ teams: ['sales-team'] }] }, { ronaSeconds: 20 }, { algorithm: 'random' }, 'algorithm'],
      flows: [{ id: 'tiny', start: 'bye', activities: [{ id: 'bye', type: 'disconnect' }] }, { name: 'Tiny' }, { start: 'nowhere' }, 'start'],
      entryPoints: [{ id: 'second', name: 'Second', number: '18005550111', flow: 'tiny' }, { name: 'Second line' }, { number: 'abc' }, 'number'],
    };
    for (const [kind, [created, change, invalid, field]] of Object.entries(samples)) {
      const id = created.id as string;
      expect((await call('POST', `/api/v1/${kind}`, { as: 'admin', body: created })).status, `${kind} create`).toBe(201);
      expect((await call('POST', `/api/v1/${kind}`, { as: 'admin', body: created })).status, `${kind} duplicate`).toBe(409);
      expect((await call('GET', `/api/v1/${kind}/${id}`, { as: 'admin' })).body).toMatchObject({ id });
      const replaced = await call('PUT', `/api/v1/${kind}/${id}`, { as: 'admin', body: { ...created, ...change } });
      expect(replaced.status, `${kind} replace`).toBe(200);
      expect(replaced.body).toMatchObject(change);
      const refused = await call('PUT', `/api/v1/${kind}/${id}`, { as: 'admin', body: { ...created, ...invalid } });
      expect(refused.status, `${kind} invalid`).toBe(400);
      expect((refused.body.problems as Array<{ field: string }>).map((problem) => problem.field), `${kind} invalid field`).toContain(field);
      expect((await call('GET', `/api/v1/${kind}`, { as: 'admin' })).body.map((entity) => entity.id)).toContain(id);
    }
    expect((await call('PUT', '/api/v1/sites/remote', { as: 'admin', body: { id: 'remote', name: 'R', extra: true } })).body).toEqual({
      error: 'invalid input', part: 'body', problems: [{ field: '(root)', reason: 'unknown field extra' }],
    });
    for (const [kind, id] of [['entryPoints', 'second'], ['flows', 'tiny'], ['queues', 'vip'], ['users', 'dave'], ['profiles', 'night-sup'], ['capacityTeams', 'bureau2'], ['teams', 'night'], ['sites', 'remote']]) {
      expect((await call('DELETE', `/api/v1/${kind}/${id}`, { as: 'admin' })).status, `${kind} delete`).toBe(204);
      expect((await call('GET', `/api/v1/${kind}/${id}`, { as: 'admin' })).status).toBe(404);
    }
  });

  it('a queue a flow uses cannot be deleted: 409 with what uses it; users never show their password hash', async () => {
    const refused = await call('DELETE', '/api/v1/queues/sales', { as: 'admin' });
    expect(refused.status).toBe(409);
    expect(refused.body.usedBy).toEqual(expect.arrayContaining([{ kind: 'flows', id: 'main-ivr', field: 'activities[5].queue' }]));
    const alice = (await call('GET', '/api/v1/users/alice', { as: 'admin' })).body;
    expect(alice.passwordHash).toBeUndefined();
    expect(alice.hasPassword).toBe(true);
  });

  it('roles and scopes: an agent sees only itself, a supervisor only its teams, writes are for admins', async () => {
    expect(await call('GET', '/api/v1/queues', { as: 'alice' })).toEqual({ status: 403, body: { error: 'forbidden', reason: 'needs the admin or supervisor role; alice is agent' } });
    expect(await call('GET', '/api/v1/agents/bob', { as: 'alice' })).toEqual({ status: 403, body: { error: 'forbidden', reason: 'an agent sees only itself' } });
    expect((await call('GET', '/api/v1/agents', { as: 'alice' })).body.map((agent) => agent.agentId)).toEqual(['alice']);
    expect((await call('POST', '/api/v1/sites', { as: 'sam', body: { id: 'x', name: 'X' } })).body.reason).toBe('needs the admin role; sam is supervisor');
    expect((await call('GET', '/api/v1/agents', { as: 'sam' })).body.map((agent) => agent.agentId).sort()).toEqual(['alice', 'bob', 'carol']);
    expect((await call('GET', '/api/v1/audit', { as: 'sam' })).status).toBe(403);
    // a supervisor limited to one team does not see the other team's agent
    await call('PUT', '/api/v1/profiles/sales-sup', { as: 'admin', body: { id: 'sales-sup', role: 'supervisor', teams: ['sales-team'], queues: ['sales'] } });
    await call('PUT', '/api/v1/users/sue', { as: 'admin', body: { id: 'sue', name: 'Sue', login: 'sue', site: 'local', profile: 'sales-sup' } });
    await call('POST', '/api/v1/users/sue/password', { as: 'admin', body: { password: 'sue-password' } });
    const sue = (await signIn('sue', 'sue-password')).body.accessToken as string;
    expect((await call('GET', '/api/v1/agents', { token: sue })).body.map((agent) => agent.agentId).sort()).toEqual(['alice', 'bob']);
    expect((await call('GET', '/api/v1/agents/carol', { token: sue })).body.reason).toBe('agent carol is not in your teams');
    expect((await call('GET', '/api/v1/stats/queues', { token: sue })).body.map((queue) => queue.queueId)).toEqual(['sales']);
  });

  it('agent operations: login with a dial number, available, idle with a reason code; refusals say why; supervisor actions are audited', async () => {
    expect((await call('POST', '/api/v1/agents/alice/login', { as: 'alice', body: { dialNumber: 'sip:agent9' } })).body.problems)
      .toEqual([{ field: 'dialNumber', reason: "not one of alice's phones (sip:agent7) nor a PSTN number" }]);
    expect((await call('POST', '/api/v1/agents/alice/state', { as: 'alice', body: { state: 'available' } })).body)
      .toEqual({ error: 'conflict', reason: 'agent alice is logged-out: cannot available (log in first)' });
    expect((await call('POST', '/api/v1/agents/alice/login', { as: 'alice', body: { dialNumber: 'sip:agent7' } })).body).toMatchObject({ state: { status: 'idle', dialNumber: 'sip:agent7' } });
    expect((await call('POST', '/api/v1/agents/alice/state', { as: 'alice', body: { state: 'idle', reason: 'nap' } })).body.problems)
      .toEqual([{ field: 'reason', reason: 'idle needs a reason code: one of break, lunch, training' }]);
    expect((await call('POST', '/api/v1/agents/alice/state', { as: 'alice', body: { state: 'idle', reason: 'lunch' } })).body).toMatchObject({ state: { status: 'idle', reason: 'lunch' } });
    expect((await call('POST', '/api/v1/agents/alice/state', { as: 'alice', body: { state: 'busy' } })).body.problems).toEqual([
      { field: 'state', reason: 'Invalid option: expected one of "available"|"idle"' },
    ]);
    expect((await call('POST', '/api/v1/agents/alice/logout', { as: 'sam' })).body).toMatchObject({ state: { status: 'logged-out' } });
    const audit = (await call('GET', '/api/v1/audit?limit=5', { as: 'admin' })).body;
    expect(audit[0]).toMatchObject({ actor: 'sam', action: 'agent-logout', kind: 'agents', entityId: 'alice' });
  });

  it('pushes state changes and offers over the WebSocket; a reconnect resumes with a snapshot', async () => {
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${core.url.replace('http', 'ws')}/api/v1/desktop`);
      ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(401);
    const open = async (login: string) => {
      const messages: Array<Record<string, unknown>> = [];
      const ws = new WebSocket(`${core.url.replace('http', 'ws')}/api/v1/desktop?access_token=${tokens.get(login)}`);
      ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
      await waitUntil(() => messages.some((message) => message.type === 'snapshot'), `${login}'s snapshot`);
      return { ws, messages };
    };
    const bob = await open('bob');
    const sam = await open('sam');
    expect(bob.messages[0]).toMatchObject({ type: 'snapshot', user: { id: 'bob', role: 'agent' }, self: { status: 'logged-out' }, tenant: { maskCallerNumbers: true } });
    expect((sam.messages[0]?.queues as unknown[]).length).toBe(2);
    await call('POST', '/api/v1/agents/bob/login', { as: 'bob', body: { dialNumber: 'sip:agent8' } });
    await call('POST', '/api/v1/agents/bob/state', { as: 'bob', body: { state: 'available' } });
    await waitUntil(() => sam.messages.some((message) => message.type === 'agent' && (message.state as { status: string }).status === 'available'), 'the supervisor sees bob available');
    await core.runtime.enterQueue({ interactionId: 'ws-call', queueId: 'support' });
    await waitUntil(() => bob.messages.some((message) => message.type === 'offer'), 'the offer on bob\'s desktop');
    expect(bob.messages.find((message) => message.type === 'offer')).toMatchObject({ interactionId: 'ws-call', queueId: 'support', maskCallerNumbers: true });
    await waitUntil(() => sam.messages.some((message) => message.type === 'queue' && message.queueId === 'support'), 'queue figures for the supervisor');
    bob.ws.close();
    const again = await open('bob');
    expect(again.messages[0]).toMatchObject({ type: 'snapshot', self: { status: 'reserved', interactionId: 'ws-call' } });
    again.ws.close();
    sam.ws.close();
    await core.runtime.ringNoAnswer('bob', 'ws-call');
    await core.runtime.abandon('ws-call');
  });

  it('statistics, interaction history and metrics come from the recorded events', async () => {
    const { runtime } = core;
    expect((await call('PUT', '/api/v1/queues/stats-q', { as: 'admin', body: { id: 'stats-q', name: 'Stats', groups: [{ teams: ['support-team'] }] } })).status).toBe(201);
    await runtime.enterQueue({ interactionId: 'stats-abandoned', queueId: 'stats-q' });
    await runtime.abandon('stats-abandoned');
    await runtime.agentEvent('bob', { type: 'idle', reason: 'break' }).catch(() => undefined);
    await runtime.agentEvent('carol', { type: 'login', dialNumber: 'sip:agent9' });
    await runtime.agentEvent('carol', { type: 'available' });
    await runtime.enterQueue({ interactionId: 'stats-call', queueId: 'stats-q' });
    await waitUntil(async () => (await runtime.state.agent('carol'))?.status === 'reserved', 'carol reserved');
    await runtime.answered('carol', 'stats-call');
    await runtime.ended('carol', 'stats-call');
    await runtime.agentEvent('carol', { type: 'wrap-up-done', code: 'resolved' });
    const queues = (await call('GET', '/api/v1/stats/queues', { as: 'admin' })).body;
    expect(queues.find((queue) => queue.queueId === 'stats-q')).toMatchObject({ offered: 2, answered: 1, abandoned: 1, serviceLevel: 0.5, waiting: 0 });
    const history = (await call('GET', '/api/v1/interactions', { as: 'admin' })).body;
    expect(history.find((item) => item.interactionId === 'stats-call')).toMatchObject({
      outcome: 'resolved',
      segments: [{ kind: 'queue', outcome: 'answered' }, { kind: 'ringing', agentId: 'carol', outcome: 'answered' }, { kind: 'agent', outcome: 'completed' }, { kind: 'wrap-up', outcome: 'resolved' }],
    });
    expect((await call('GET', '/api/v1/interactions', { as: 'alice' })).body.map((item) => item.interactionId)).toEqual([]);
    const metrics = await (await fetch(`${core.url}/metrics`)).text();
    expect(metrics).toMatch(/vpop_core_agents\{state="available",.*\} 1/);
    expect(metrics).toMatch(/vpop_core_queue_wait_seconds_count\{.*queue="stats-q",outcome="answered"\} 1/);
    expect(metrics).toContain('vpop_core_interaction_events_total{event="ENTERQUEUE"');
  });
});
