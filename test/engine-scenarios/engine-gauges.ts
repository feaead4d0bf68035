import type { Registry } from 'prom-client';

/** Sum of a gauge's samples, as the engine's registry would serve them on /metrics. */
export async function gaugeTotal(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  if (!metric) throw new Error(`engine registry has no ${name}`);
  return metric.values.reduce((sum, sample) => sum + sample.value, 0);
}

/** The gauge's non-zero samples with their labels, e.g. `kind="ict"=2`, for failure messages. */
export async function gaugeSamples(registry: Registry, name: string): Promise<string> {
  const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  const samples = (metric?.values ?? [])
    .filter((sample) => sample.value !== 0)
    .map((sample) => `${Object.entries(sample.labels).map(([label, value]) => `${label}="${String(value)}"`).join(',') || name}=${sample.value}`);
  return samples.join(' ') || 'none';
}

/** Waits until every sample of the gauge is 0, or fails naming the samples that are not. */
export async function expectGaugeToReachZero(registry: Registry, name: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await gaugeTotal(registry, name)) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} still non-zero after ${timeoutMs} ms: ${await gaugeSamples(registry, name)}`);
}
