// Prometheus metrics of the SIP engine core: messages by direction, method and
// status, live transactions and dialogs, parse errors. The transport layer
// registers its own (allow-list drops, TLS handshake failures) on the same
// registry. Children are cached so counting a message is a map lookup and an
// increment, not a label resolution.
import { createServer } from 'node:http';
import { Counter, Gauge, type Registry } from 'prom-client';

export type MessageDirection = 'in' | 'out';

export interface EngineGaugeSources {
  transactions(): Readonly<Record<string, number>>;
  dialogs(): number;
}

export class EngineMetrics {
  private readonly messages: Counter<'direction' | 'method' | 'status'>;
  private readonly parseErrors: Counter<never>;
  private readonly discarded: Counter<'reason'>;
  private readonly overloadRejections: Counter<'limit'>;
  private readonly children = new Map<string, Counter.Internal>();

  constructor(registry: Registry, sources: EngineGaugeSources) {
    this.messages = new Counter({
      name: 'vpop_engine_sip_messages_total',
      help: 'SIP messages received (in) and sent (out), by method and response status (empty for requests)',
      labelNames: ['direction', 'method', 'status'],
      registers: [registry],
    });
    this.parseErrors = new Counter({
      name: 'vpop_engine_parse_errors_total',
      help: 'Received SIP messages that could not be parsed',
      registers: [registry],
    });
    this.discarded = new Counter({
      name: 'vpop_engine_discarded_requests_total',
      help: 'Parsed requests dropped without an answer before the transaction layer (e.g. known scanners), by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.overloadRejections = new Counter({
      name: 'vpop_engine_overload_rejections_total',
      help: 'New requests answered 503 with Retry-After because live transactions or dialogs were at their ceiling, by limit',
      labelNames: ['limit'],
      registers: [registry],
    });
    for (const limit of ['transactions', 'dialogs']) this.overloadRejections.labels(limit);
    new Gauge({
      name: 'vpop_engine_transactions_active',
      help: 'Live SIP transactions by kind',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        for (const [kind, count] of Object.entries(sources.transactions())) this.set({ kind }, count);
      },
    });
    new Gauge({
      name: 'vpop_engine_dialogs_active',
      help: 'SIP dialogs (early and confirmed) held by the engine',
      registers: [registry],
      collect() {
        this.set(sources.dialogs());
      },
    });
  }

  countMessage(direction: MessageDirection, method: string, status: number | undefined): void {
    const statusLabel = status === undefined ? '' : String(status);
    const key = `${direction}|${method}|${statusLabel}`;
    let child = this.children.get(key);
    if (!child) {
      // Unknown methods from the network are bucketed so labels stay bounded.
      const methodLabel = KNOWN_METHODS.has(method) ? method : 'other';
      child = this.messages.labels(direction, methodLabel, statusLabel);
      if (this.children.size < 2000) this.children.set(key, child);
    }
    child.inc();
  }

  countParseError(): void {
    this.parseErrors.inc();
  }

  countDiscarded(reason: string): void {
    this.discarded.inc({ reason });
  }

  countOverloadRejection(limit: 'transactions' | 'dialogs'): void {
    this.overloadRejections.inc({ limit });
  }
}

const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE', 'INFO', 'SUBSCRIBE', 'NOTIFY',
  'REFER', 'MESSAGE', 'PUBLISH',
]);

export interface MetricsEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

/** Serve the registry on GET /metrics (drachtio-server's --prometheus-scrape-port). */
export async function serveMetrics(registry: Registry, address: string, port: number): Promise<MetricsEndpoint> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      () => response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n'),
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return {
    port: typeof bound === 'object' && bound ? bound.port : port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
