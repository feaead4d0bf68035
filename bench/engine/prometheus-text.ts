/**
 * Reads one metric from Prometheus text exposition: the sum of every sample of the named
 * metric across label sets (e.g. dialogs active on every transport). Undefined when the
 * metric is absent.
 */
export function sumMetricSamples(exposition: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const next = line.charAt(name.length);
    if (next !== ' ' && next !== '{') continue;
    // The value follows the (possibly labelled) name; a timestamp may follow the value.
    const afterLabels = next === '{' ? line.slice(line.lastIndexOf('}') + 1) : line.slice(name.length);
    const value = Number(afterLabels.trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/** Fetches /metrics and sums one metric's samples. */
export async function scrapeMetric(url: string, name: string, timeoutMs = 5000): Promise<number | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return sumMetricSamples(await response.text(), name);
}
