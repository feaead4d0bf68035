import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { harness, origin } from './testing/harness.js';
import { request } from './testing/sip-fixtures.js';
import { registerTransactionMetrics } from './transaction-metrics.js';

describe('registerTransactionMetrics', () => {
  it('exposes the layer counters at scrape time', async () => {
    const h = harness();
    const registry = new Registry();
    registerTransactionMetrics(registry, h.layer);
    h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-m1' }), origin());
    h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-m1' }), origin());
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-m2' }), origin());
    let text = await registry.metrics();
    expect(text).toContain('vpop_engine_sip_request_retransmissions_absorbed_total 1');
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-m2' }), origin());
    text = await registry.metrics();
    expect(text).toContain('vpop_engine_sip_request_retransmissions_absorbed_total 2');
  });
});
