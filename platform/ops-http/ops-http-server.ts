// The POP's operations endpoint: /healthz (are the required processes running),
// /readyz (have they all passed readiness) and /metrics (this process's registry plus
// the figures of processes that serve their own, such as rtpengine).
// Exposure: a source outside the allow-list is dropped at accept, unanswered. With a
// bearer token, /metrics needs it, and /healthz shows PIDs only to a request that has
// it; /healthz and /readyz stay open (to the allow-list) for load balancers and Docker's
// HEALTHCHECK. Without a token, PIDs are never shown.
import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { AllowList } from '../../edge/engine/allow-list/allow-list.js';
import { componentLogger, type Logger } from '../logging/logger.js';
import type { ChildStatus } from '../supervisor/supervisor.js';
import { mergeExpositions } from '../metrics/merge-expositions.js';

/** What the ops endpoint reports on; the Supervisor is one. */
export interface ProcessStatusSource {
  status(): ChildStatus[];
  healthy(): boolean;
  allReady(): boolean;
}

export interface OpsHttpOptions {
  address: string;
  port: number;
  /** CIDR blocks that may connect; default loopback only. */
  allow?: readonly string[];
  /** Called at each request that needs it, so a rotated token file is picked up. */
  bearerToken?: () => string | undefined;
  pop: string;
  processes: ProcessStatusSource;
  registry: Registry;
  /** Extra exposition text appended to /metrics, e.g. rtpengine's own figures. */
  metricsSources?: ReadonlyArray<() => Promise<string>>;
  logger?: Logger;
}

export interface OpsHttpServer {
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  close(): Promise<void>;
}

const ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export async function startOpsHttpServer(options: OpsHttpOptions): Promise<OpsHttpServer> {
  const logger = options.logger ?? componentLogger('ops-http');
  const allow = new AllowList(options.allow ?? ['127.0.0.0/8', '::1/128']);
  const server: Server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      logger.error({ err: error, path: request.url }, 'ops request failed');
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  });
  // An ops scraper needs seconds, not minutes; slow clients must not pin sockets.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  let dropped = 0;
  server.on('connection', (socket) => {
    const source = socket.remoteAddress ?? '';
    if (allow.allows(source.startsWith('::ffff:') ? source.slice(7) : source)) return;
    // Silence for sources not on the allow-list; logged sparingly, not per attempt.
    socket.destroy();
    if ((dropped++ & 1023) === 0) logger.warn({ source, dropped }, 'ops endpoint: dropped a connection from outside ops.allow');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ address: options.address, port }, 'ops endpoint listening');
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function handle(options: OpsHttpOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
  if (!ROUTES.has(path)) {
    send(response, 404, 'text/plain; charset=utf-8', `not found: ${path.slice(0, 200)}; try /healthz, /readyz or /metrics\n`);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    send(response, 405, 'text/plain; charset=utf-8', `method ${request.method ?? ''} not allowed on ${path}; use GET\n`);
    return;
  }
  const token = options.bearerToken?.();
  const authenticated = token !== undefined && hasBearer(request, token);
  if (path === '/metrics' && token !== undefined && !authenticated) {
    response.setHeader('WWW-Authenticate', 'Bearer realm="vpop-ops"');
    send(response, 401, 'text/plain; charset=utf-8', '/metrics needs Authorization: Bearer <token> (ops.tokenFile)\n');
    return;
  }
  const children = options.processes.status();
  switch (path) {
    case '/healthz': {
      const healthy = options.processes.healthy();
      // PIDs help an operator on the box, and an attacker elsewhere: only with the token.
      const shown = authenticated ? children : children.map(({ pid: _pid, ...rest }) => rest);
      sendJson(response, healthy ? 200 : 503, { status: healthy ? 'ok' : 'down', pop: options.pop, children: shown });
      return;
    }
    case '/readyz': {
      const ready = options.processes.allReady();
      sendJson(response, ready ? 200 : 503, {
        status: ready ? 'ready' : 'not ready',
        pop: options.pop,
        children: children.map(({ name, state, ready: childReady }) => ({ name, state, ready: childReady })),
      });
      return;
    }
    case '/metrics': {
      // Sources first: they may set gauges (vpop_rtpengine_up) in the registry.
      const extra = await Promise.all((options.metricsSources ?? []).map((source) => source()));
      const own = await options.registry.metrics();
      const body = mergeExpositions([own, ...extra]);
      send(response, 200, options.registry.contentType, body);
      return;
    }
  }
}

/** Constant-time comparison of the request's bearer token (hashes make the lengths equal). */
function hasBearer(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization ?? '';
  if (!header.toLowerCase().startsWith('bearer ')) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(header.slice(7).trim()), digest(token));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
