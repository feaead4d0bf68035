import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from 'prom-client';
import { createProcessRegistry } from './process-registry.js';
import { mergeExpositions } from './merge-expositions.js';

describe('mergeExpositions', () => {
  it('gives each family of several processes one HELP and TYPE, with all their samples under it', async () => {
    const texts: string[] = [];
    for (const component of ['supervisor', 'engine']) {
      const registry = createProcessRegistry({ pop: 'p', component });
      new Counter({ name: 'vpop_things_total', help: 'Things', registers: [registry] }).inc(component === 'engine' ? 2 : 1);
      new Histogram({ name: 'vpop_latency_seconds', help: 'Latency', buckets: [1], registers: [registry] }).observe(0.5);
      texts.push(await registry.metrics());
    }
    const merged = mergeExpositions([...texts, 'rtpengine_sessions{type="own"} 0\n']);
    const lines = merged.split('\n');
    for (const family of ['vpop_things_total', 'vpop_latency_seconds', 'process_cpu_user_seconds_total']) {
      expect(lines.filter((line) => line.startsWith(`# TYPE ${family} `)), family).toHaveLength(1);
      expect(lines.filter((line) => line.startsWith(`# HELP ${family} `)), family).toHaveLength(1);
    }
    const things = lines.indexOf('# TYPE vpop_things_total counter');
    expect(lines.slice(things + 1, things + 3)).toEqual([
      'vpop_things_total{pop="p",component="supervisor"} 1', 'vpop_things_total{pop="p",component="engine"} 2',
    ]);
    const latency = lines.indexOf('# TYPE vpop_latency_seconds histogram');
    const after = lines.slice(latency + 1);
    const contiguous = after.slice(0, after.findIndex((line) => !line.startsWith('vpop_latency_seconds')));
    expect(contiguous).toHaveLength(8);
    expect(merged).toContain('rtpengine_sessions{type="own"} 0\n');
    expect(mergeExpositions([await new Registry().metrics(), ''])).toBe('');
  });
});
