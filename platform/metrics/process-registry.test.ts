import { describe, expect, it } from 'vitest';
import { Counter, Registry, register as globalRegistry } from 'prom-client';
import { createProcessRegistry } from './process-registry.js';

describe('createProcessRegistry', () => {
  it('labels default and component metrics with pop and component, off the global registry', async () => {
    const registry = createProcessRegistry({ pop: 'lab1-a', component: 'supervisor' });
    const calls = new Counter({ name: 'vpop_test_calls_total', help: 'test', registers: [registry] });
    calls.inc(3);
    const text = await registry.metrics();
    expect(text).toContain('vpop_test_calls_total{pop="lab1-a",component="supervisor"} 3');
    expect(text).toMatch(/process_cpu_user_seconds_total\{pop="lab1-a",component="supervisor"\} /);
    expect(await globalRegistry.getSingleMetric('vpop_test_calls_total')).toBeUndefined();
  });

  it('lets several registries register the same metric name in one process', async () => {
    // prom-client's Registry.merge drops default labels, so callers concatenate
    // registries' text instead; this checks each keeps its own labels.
    const a = createProcessRegistry({ pop: 'p', component: 'a', defaultMetrics: false });
    const b = createProcessRegistry({ pop: 'p', component: 'b', defaultMetrics: false });
    new Counter({ name: 'vpop_test_same_total', help: 'x', registers: [a] }).inc();
    new Counter({ name: 'vpop_test_same_total', help: 'x', registers: [b] }).inc(2);
    expect(await a.metrics()).toContain('vpop_test_same_total{pop="p",component="a"} 1');
    expect(await b.metrics()).toContain('vpop_test_same_total{pop="p",component="b"} 2');
    expect(() => Registry.merge([a, b])).toThrow(/already been registered/);
  });
});
