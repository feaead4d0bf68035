// Another process's /metrics (the engine's, the SBC's), fetched when the ops endpoint is
// scraped. Its series already carry pop/component labels from its process registry.

/** A metricsSource for the ops server: the text at `url`, or '' when it cannot be fetched (the child's up/down is vpop_child_up). */
export function scrapedMetricsSource(url: string, timeoutMs = 2000): () => Promise<string> {
  return async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      return response.ok ? await response.text() : '';
    } catch {
      return '';
    }
  };
}
