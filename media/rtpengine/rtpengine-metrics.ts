// rtpengine's own Prometheus figures (GET /metrics on --listen-http), fetched when the
// ops endpoint is scraped, with vpop_rtpengine_up saying whether that worked.
import { Gauge, type Registry } from 'prom-client';
import { withConstantLabels } from '../../platform/metrics/exposition-labels.js';

export interface RtpengineMetricsOptions {
  url: string;
  /** Receives vpop_rtpengine_up. */
  registry: Registry;
  timeoutMs?: number;
  /** Added to every rtpengine sample, e.g. { pop: 'nyc1-a', component: 'rtpengine' }. */
  labels?: Readonly<Record<string, string>>;
}

/** A function returning rtpengine's exposition text, or '' (and up=0) when it cannot be fetched. */
export function rtpengineMetricsSource(options: RtpengineMetricsOptions): () => Promise<string> {
  const up = new Gauge({
    name: 'vpop_rtpengine_up',
    help: 'Whether rtpengine answered the last scrape of its /metrics (1) or not (0)',
    registers: [options.registry],
  });
  return async () => {
    try {
      const response = await fetch(options.url, { signal: AbortSignal.timeout(options.timeoutMs ?? 2000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const text = withConstantLabels(await response.text(), options.labels ?? {});
      up.set(1);
      return text.endsWith('\n') || text === '' ? text : `${text}\n`;
    } catch {
      up.set(0);
      return '';
    }
  };
}
