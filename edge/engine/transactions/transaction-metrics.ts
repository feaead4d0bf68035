// Prometheus counters of the transaction layer. Values are read from the layer's
// stats at scrape time (collect), so the hot path never touches prom-client.

import { Counter, type Registry } from 'prom-client';
import type { TransactionLayer, TransactionLayerStats } from './transaction-layer.js';

/** A counter that follows a monotonic number kept elsewhere. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let reported = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const current = read();
      if (current > reported) this.inc(current - reported);
      reported = current;
    },
  });
}

const LAYER_COUNTERS: [keyof TransactionLayerStats, string, string][] = [
  ['requestRetransmissions', 'vpop_engine_sip_request_retransmissions_absorbed_total', 'Retransmitted requests absorbed by a server transaction'],
  ['strayResponses', 'vpop_engine_sip_stray_responses_total', 'Responses that matched no client transaction'],
  ['acksToTu', 'vpop_engine_sip_acks_to_tu_total', 'ACKs passed to the TU (ACKs for 2xx responses)'],
  ['abandonedRequests', 'vpop_engine_sip_requests_abandoned_total', 'Non-INVITE requests the TU never answered, ended after 64*T1'],
  ['mergedRequests', 'vpop_engine_sip_merged_requests_total', 'Merged requests (a second branch of one forked request, RFC 3261 8.2.2.2) answered 482'],
  ['malformed', 'vpop_engine_sip_transaction_malformed_total', 'Messages the transaction layer dropped or rejected for an unreadable Via or CSeq'],
];

/**
 * Register the layer's counters on `registry`. The gauge of active transactions
 * by kind is the engine's (engine-metrics.ts reads layer.activeTransactions).
 */
export function registerTransactionMetrics(registry: Registry, layer: TransactionLayer): void {
  for (const [field, name, help] of LAYER_COUNTERS) mirroredCounter(registry, name, help, () => layer.stats[field]);
}
