// Prometheus counters of the proxy: how proxied requests end, how many servers were
// tried, and why a branch moved on (RFC 3263 failover and app/RFC timeouts).

import { Counter, Gauge, type Registry } from 'prom-client';

export type BranchMoveReason = 'transport' | 'timeout' | '503' | 'provisional-timeout' | 'final-timeout' | 'timer-c';

export class ProxyMetrics {
  private readonly finals: Counter<'class'>;
  private readonly attempts: Counter<never>;
  private readonly moves: Counter<'reason'>;
  private readonly active: Gauge<never>;

  constructor(registry: Registry) {
    this.finals = new Counter({
      name: 'vpop_engine_proxy_final_responses_total',
      help: 'Final responses the proxy sent upstream, by class (2xx counts the first 2xx only)',
      labelNames: ['class'],
      registers: [registry],
    });
    this.attempts = new Counter({
      name: 'vpop_engine_proxy_branch_attempts_total',
      help: 'Requests the proxy sent downstream (one per branch and resolved server tried)',
      registers: [registry],
    });
    this.moves = new Counter({
      name: 'vpop_engine_proxy_branch_moves_total',
      help: 'Times a branch gave up on a server or target, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.active = new Gauge({
      name: 'vpop_engine_proxy_active_requests',
      help: 'Proxied requests still searching for a final response',
      registers: [registry],
    });
  }

  started(): void {
    this.active.inc();
  }

  finalSent(status: number): void {
    this.active.dec();
    this.finals.inc({ class: `${Math.floor(status / 100)}xx` });
  }

  attempted(): void {
    this.attempts.inc();
  }

  moved(reason: BranchMoveReason): void {
    this.moves.inc({ reason });
  }
}
