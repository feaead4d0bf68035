// The per-process Prometheus registry: Node's default metrics plus whatever the
// process's components register, every series labelled with the POP and component.
// Components never use prom-client's global registry; they take this one in options.
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface ProcessRegistryOptions {
  /** POP id, e.g. "nyc1-a": the `pop` label on every series. */
  pop: string;
  /** Process role, e.g. "supervisor", "engine": the `component` label on every series. */
  component: string;
  /** Node's process_* and nodejs_* metrics; on by default. */
  defaultMetrics?: boolean;
}

export function createProcessRegistry(options: ProcessRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ pop: options.pop, component: options.component });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}
