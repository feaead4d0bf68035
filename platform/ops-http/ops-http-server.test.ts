import { connect } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor, type ChildSpec } from '../supervisor/supervisor.js';
import { startOpsHttpServer, type OpsHttpOptions, type OpsHttpServer } from './ops-http-server.js';
import { waitUntil } from '../../test/support/wait-until.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleeper: ChildSpec = { name: 'sleeper', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] };

async function serve(
  children: ChildSpec[], metricsSources: Array<() => Promise<string>> = [], exposure: Pick<OpsHttpOptions, 'allow' | 'bearerToken'> = {},
): Promise<{ base: string; supervisor: Supervisor; server: OpsHttpServer }> {
  const registry = new Registry();
  const supervisor = new Supervisor({ children, registry });
  cleanups.push(() => supervisor.stop());
  const server = await startOpsHttpServer({ address: '127.0.0.1', port: 0, pop: 'lab1-a', processes: supervisor, registry, metricsSources, ...exposure });
  cleanups.push(() => server.close());
  supervisor.start();
  return { base: `http://127.0.0.1:${server.port}`, supervisor, server };
}

describe('ops HTTP endpoint over a real supervisor', () => {
  it('reports health, readiness and metrics with extra sources appended', async () => {
    let readyNow = false;
    const { base, supervisor } = await serve(
      [sleeper, { name: 'gated', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], readiness: () => Promise.resolve(readyNow), readinessIntervalMs: 25 }],
      [() => Promise.resolve('# TYPE rtpengine_sessions gauge\nrtpengine_sessions 0')],
    );
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toContain('application/json');
    const body = await health.json() as { status: string; pop: string; children: Array<{ name: string; state: string; pid: number }> };
    expect(body).toMatchObject({ status: 'ok', pop: 'lab1-a' });
    expect(body.children.map((child) => child.name)).toEqual(['sleeper', 'gated']);
    // No token configured: nobody is authenticated, so no PIDs.
    expect(body.children.some((child) => 'pid' in child)).toBe(false);

    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not ready', children: [{ name: 'sleeper', ready: true }, { name: 'gated', ready: false }] });
    readyNow = true;
    await waitUntil(() => supervisor.allReady(), 'the gated child');
    expect((await fetch(`${base}/readyz?verbose=1`)).status).toBe(200);

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('vpop_child_up{child="sleeper"} 1');
    expect(text).toContain('vpop_child_ready{child="gated"} 1');
    expect(text).toContain('vpop_child_restarts_total{child="sleeper"} 0');
    expect(text).toMatch(/\nrtpengine_sessions 0\n$/);
  });

  it('answers 503 on /healthz while a required child is down', async () => {
    const { base, supervisor } = await serve([
      sleeper,
      { name: 'crasher', command: process.execPath, args: ['-e', 'process.exit(1)'], restart: { initialDelayMs: 60_000 } },
      { name: 'optional-crasher', command: process.execPath, args: ['-e', 'process.exit(1)'], required: false, restart: { initialDelayMs: 60_000 } },
    ]);
    await waitUntil(() => supervisor.status().every((child) => child.lastExit !== undefined || child.name === 'sleeper'), 'the crashes');
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'down',
      children: [{ name: 'sleeper', state: 'ready' }, { name: 'crasher', state: 'backoff', required: true, lastExit: { code: 1 } }, { name: 'optional-crasher', required: false }],
    });
  });

  it('keeps a down optional child out of /healthz but not out of /readyz', async () => {
    const { base, supervisor } = await serve([
      sleeper,
      { name: 'optional-crasher', command: process.execPath, args: ['-e', 'process.exit(1)'], required: false, restart: { initialDelayMs: 60_000 } },
    ]);
    await waitUntil(() => supervisor.status()[1]?.lastExit !== undefined, 'the crash');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
  });

  it('answers 404 for unknown paths, 405 for other methods, HEAD without a body', async () => {
    const { base } = await serve([sleeper]);
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('/healthz');
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 500 when a metrics source fails, and keeps serving', async () => {
    const { base } = await serve([sleeper], [() => Promise.reject(new Error('scrape exploded'))]);
    expect((await fetch(`${base}/metrics`)).status).toBe(500);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers garbage on the socket with 400 and keeps serving', async () => {
    const { base, server } = await serve([sleeper]);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write('\u0000\u0001 NOT HTTP\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => { data += chunk.toString(); });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('with a bearer token: /metrics and PIDs need it, /healthz and /readyz stay open', async () => {
    let token = 'first-token';
    const { base, supervisor } = await serve([sleeper], [], { bearerToken: () => token });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`)).headers.get('www-authenticate')).toBe('Bearer realm="vpop-ops"');
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer first-tokenX' } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer first-token' } })).status).toBe(200);
    const open = await (await fetch(`${base}/healthz`)).json() as { children: Array<Record<string, unknown>> };
    expect(open.children[0]).not.toHaveProperty('pid');
    const detailed = await (await fetch(`${base}/healthz`, { headers: { Authorization: 'bearer first-token' } })).json() as { children: Array<Record<string, unknown>> };
    expect(detailed.children[0]?.pid).toBe(supervisor.status()[0]?.pid);
    // Read at each request: a rotated token takes effect at once.
    token = 'rotated';
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer first-token' } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer rotated' } })).status).toBe(200);
  });

  it('drops connections from sources outside its allow-list, unanswered', async () => {
    const { server } = await serve([sleeper], [], { allow: ['127.0.0.9/32'] });
    const attempt = (localAddress: string): Promise<string> => new Promise((resolve, reject) => {
      const socket = connect({ port: server.port, host: '127.0.0.1', localAddress }, () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => { data += chunk.toString(); });
      socket.on('close', () => resolve(data));
      socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(data) : reject(error)));
    });
    expect(await attempt('127.0.0.5')).toBe('');
    expect(await attempt('127.0.0.9')).toMatch(/^HTTP\/1\.1 200/);
  });
});
