import type { Registry } from 'prom-client';

// Completed transactions linger for Timers D/I/J/K/L/M (up to 32 s) only to absorb
// retransmissions; shortening them lets the gauges reach 0 within a test.
export const LINGER_TIMERS = { timerD: 1000, timerI: 500, timerJ: 1000, timerK: 500, timerL: 1000, timerM: 1000 };

/** Sum of a gauge's samples, as the engine's registry would serve them on /metrics. */
export async function gaugeTotal(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  if (!metric) throw new Error(`engine registry has no ${name}`);
  return metric.values.reduce((sum, sample) => sum + sample.value, 0);
}
