// Prometheus view of the per-source rate limit, read at scrape time (the hot path only
// increments plain numbers).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SourceRateLimit } from './source-rate-limit.js';

export function registerSourceRateLimitMetrics(registry: Registry, limit: SourceRateLimit): void {
  let reportedDropped = 0;
  new Counter({
    name: 'vpop_engine_rate_limited_messages_total',
    help: 'SIP messages dropped unanswered because their source address was above the per-source rate (pike)',
    registers: [registry],
    collect() {
      this.inc(limit.dropped - reportedDropped);
      reportedDropped = limit.dropped;
    },
  });
  let reportedBlocks = 0;
  new Counter({
    name: 'vpop_engine_source_blocks_total',
    help: 'Times a source address went above the per-source rate and was blocked',
    registers: [registry],
    collect() {
      this.inc(limit.blocks - reportedBlocks);
      reportedBlocks = limit.blocks;
    },
  });
  new Gauge({
    name: 'vpop_engine_sources_blocked',
    help: 'Source addresses blocked by the per-source rate now',
    registers: [registry],
    collect() {
      this.set(limit.blockedSources());
    },
  });
}
