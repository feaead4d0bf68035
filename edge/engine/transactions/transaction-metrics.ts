// Prometheus view of the transaction layer. Values are read from the layer's
// counters at scrape time (collect), so the hot path never touches prom-client.

import { Counter, Gauge, type Registry } from 'prom-client';
import { TransactionKind } from './transaction.js';
import type { TransactionLayer, TransactionLayerStats } from './transaction-layer.js';
import type { TransportBinding, TransportBindingStats } from './transport-binding.js';

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
  ['malformed', 'vpop_engine_sip_transaction_malformed_total', 'Messages the transaction layer dropped or rejected for an unreadable Via or CSeq'],
];

const BINDING_COUNTERS: [keyof TransportBindingStats, string, string][] = [
  ['parseErrors', 'vpop_engine_sip_parse_errors_total', 'Received messages that failed to parse'],
  ['parseErrorResponses', 'vpop_engine_sip_parse_error_responses_total', 'Error responses sent for unparseable requests'],
  ['sendErrors', 'vpop_engine_sip_send_errors_total', 'Messages the transport failed to send'],
];

/** Register the layer's gauges and counters (and the binding's, if given) on `registry`. */
export function registerTransactionMetrics(registry: Registry, layer: TransactionLayer, binding?: TransportBinding): void {
  new Gauge({
    name: 'vpop_engine_sip_transactions_active',
    help: 'Live SIP transactions by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const kind of Object.values(TransactionKind)) this.set({ kind }, layer.activeTransactions[kind]);
    },
  });
  for (const [field, name, help] of LAYER_COUNTERS) mirroredCounter(registry, name, help, () => layer.stats[field]);
  if (binding) {
    for (const [field, name, help] of BINDING_COUNTERS) mirroredCounter(registry, name, help, () => binding.stats[field]);
  }
}
