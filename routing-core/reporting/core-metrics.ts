// Prometheus metrics of the routing core: queue depth and agents by state (read from
// shared state at scrape time), waits as histograms and events as counters (from the
// interaction log as it is appended).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AgentStatus } from '../agents/agent-state.js';
import type { SharedState } from '../state/shared-state.js';
import type { InteractionLog } from './interaction-log.js';

const STATUSES: AgentStatus[] = ['logged-out', 'idle', 'available', 'reserved', 'connected', 'wrap-up'];

export function coreMetrics(state: SharedState, log: InteractionLog, registry = new Registry()): Registry {
  new Gauge({
    name: 'vpop_core_queue_waiting_calls', help: 'Calls waiting in each queue', labelNames: ['queue'], registers: [registry],
    async collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const call of await state.queued()) counts.set(call.queueId, (counts.get(call.queueId) ?? 0) + 1);
      for (const [queue, count] of counts) this.set({ queue }, count);
    },
  });
  new Gauge({
    name: 'vpop_core_agents', help: 'Agents in each state', labelNames: ['state'], registers: [registry],
    async collect() {
      const counts = new Map<string, number>(STATUSES.map((status) => [status, 0]));
      for (const agent of await state.agents()) counts.set(agent.status, (counts.get(agent.status) ?? 0) + 1);
      for (const [status, count] of counts) this.set({ state: status }, count);
    },
  });
  const waits = new Histogram({
    name: 'vpop_core_queue_wait_seconds', help: 'Time calls waited in queue, by how the wait ended', labelNames: ['queue', 'outcome'],
    buckets: [5, 10, 20, 30, 60, 120, 300, 600], registers: [registry],
  });
  const events = new Counter({ name: 'vpop_core_interaction_events_total', help: 'Interaction events recorded', labelNames: ['event'], registers: [registry] });
  log.onAppend((event) => {
    events.inc({ event: event.event });
    const outcome = event.event === 'CONNECT' ? 'answered' : event.event === 'ABANDON' ? 'abandoned' : event.event === 'OVERFLOW' ? 'overflow' : undefined;
    if (outcome && event.queueId) waits.observe({ queue: event.queueId, outcome }, Number(event.data?.waitSeconds ?? 0));
  });
  return registry;
}
