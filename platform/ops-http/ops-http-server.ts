// The POP's operations endpoint: /healthz (are the required processes running),
// /readyz (have they all passed readiness) and /metrics (this process's registry plus
// the figures of processes that serve their own, such as rtpengine).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
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
  const children = options.processes.status();
  switch (path) {
    case '/healthz': {
      const healthy = options.processes.healthy();
      sendJson(response, healthy ? 200 : 503, { status: healthy ? 'ok' : 'down', pop: options.pop, children });
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

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
