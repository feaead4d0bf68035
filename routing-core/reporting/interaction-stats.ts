// Queue and agent figures computed from the interaction events alone.
// - offered: ENTERQUEUE; answered: CONNECT; abandoned: ABANDON; overflowed: OVERFLOW
// - ASA: mean waitSeconds of CONNECT; AHT: mean talkSeconds (COMPLETE) + wrapUpSeconds (WRAPUP)
// - service level: answered within the queue's serviceLevelSeconds / (answered + abandoned)
import type { InteractionEvent } from './interaction-log.js';

export interface QueueFigures {
  queueId: string;
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  averageSpeedOfAnswerSeconds: number | null;
  averageHandleSeconds: number | null;
  serviceLevel: number | null;
}

export interface AgentFigures {
  agentId: string;
  offered: number;
  answered: number;
  ringNoAnswer: number;
  averageHandleSeconds: number | null;
}

const mean = (values: number[]): number | null => (values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length);
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** Handle time per interaction: talk plus wrap-up. */
function handleTimes(events: readonly InteractionEvent[]): Map<string, { queueId?: string; agentId?: string; seconds: number }> {
  const handle = new Map<string, { queueId?: string; agentId?: string; seconds: number }>();
  for (const event of events) {
    if (event.event !== 'COMPLETE' && event.event !== 'WRAPUP') continue;
    const entry = handle.get(event.interactionId) ?? { queueId: event.queueId, agentId: event.agentId, seconds: 0 };
    entry.seconds += num(event.event === 'COMPLETE' ? event.data?.talkSeconds : event.data?.wrapUpSeconds);
    handle.set(event.interactionId, entry);
  }
  return handle;
}

export function queueFigures(events: readonly InteractionEvent[], serviceLevelSeconds: (queueId: string) => number): QueueFigures[] {
  const byQueue = new Map<string, { offered: number; answered: number; abandoned: number; overflowed: number; waits: number[]; withinLevel: number }>();
  const of = (queueId: string) => {
    let entry = byQueue.get(queueId);
    if (!entry) byQueue.set(queueId, (entry = { offered: 0, answered: 0, abandoned: 0, overflowed: 0, waits: [], withinLevel: 0 }));
    return entry;
  };
  for (const event of events) {
    if (!event.queueId) continue;
    const entry = of(event.queueId);
    if (event.event === 'ENTERQUEUE') entry.offered++;
    if (event.event === 'ABANDON') entry.abandoned++;
    if (event.event === 'OVERFLOW') entry.overflowed++;
    if (event.event === 'CONNECT') {
      entry.answered++;
      const wait = num(event.data?.waitSeconds);
      entry.waits.push(wait);
      if (wait <= serviceLevelSeconds(event.queueId)) entry.withinLevel++;
    }
  }
  const handle = [...handleTimes(events).values()];
  return [...byQueue.entries()].map(([queueId, entry]) => ({
    queueId,
    offered: entry.offered,
    answered: entry.answered,
    abandoned: entry.abandoned,
    overflowed: entry.overflowed,
    averageSpeedOfAnswerSeconds: mean(entry.waits),
    averageHandleSeconds: mean(handle.filter((item) => item.queueId === queueId).map((item) => item.seconds)),
    serviceLevel: entry.answered + entry.abandoned === 0 ? null : entry.withinLevel / (entry.answered + entry.abandoned),
  }));
}

export function agentFigures(events: readonly InteractionEvent[]): AgentFigures[] {
  const byAgent = new Map<string, { offered: number; answered: number; ringNoAnswer: number }>();
  for (const event of events) {
    if (!event.agentId) continue;
    const entry = byAgent.get(event.agentId) ?? { offered: 0, answered: 0, ringNoAnswer: 0 };
    if (event.event === 'RINGING') entry.offered++;
    if (event.event === 'CONNECT') entry.answered++;
    if (event.event === 'RINGNOANSWER') entry.ringNoAnswer++;
    byAgent.set(event.agentId, entry);
  }
  const handle = [...handleTimes(events).values()];
  return [...byAgent.entries()].map(([agentId, entry]) => ({
    agentId, ...entry, averageHandleSeconds: mean(handle.filter((item) => item.agentId === agentId).map((item) => item.seconds)),
  }));
}

export interface Segment {
  kind: 'queue' | 'ringing' | 'agent' | 'wrap-up';
  start: number;
  end?: number;
  queueId?: string;
  agentId?: string;
  outcome?: string;
}

/** An interaction's segments, from its events. */
export function segmentsOf(events: readonly InteractionEvent[]): Segment[] {
  const segments: Segment[] = [];
  const close = (kind: Segment['kind'], at: number, outcome: string): void => {
    const open = [...segments].reverse().find((segment) => segment.kind === kind && segment.end === undefined);
    if (open) Object.assign(open, { end: at, outcome });
  };
  for (const event of events) {
    switch (event.event) {
      case 'ENTERQUEUE': segments.push({ kind: 'queue', start: event.at, queueId: event.queueId }); break;
      case 'RINGING': segments.push({ kind: 'ringing', start: event.at, queueId: event.queueId, agentId: event.agentId }); break;
      case 'RINGNOANSWER': close('ringing', event.at, 'no answer'); break;
      case 'CONNECT':
        close('ringing', event.at, 'answered');
        close('queue', event.at, 'answered');
        segments.push({ kind: 'agent', start: event.at, queueId: event.queueId, agentId: event.agentId });
        break;
      case 'ABANDON': close('queue', event.at, 'abandoned'); break;
      case 'OVERFLOW': close('queue', event.at, 'overflow'); break;
      case 'COMPLETE':
        close('agent', event.at, 'completed');
        segments.push({ kind: 'wrap-up', start: event.at, queueId: event.queueId, agentId: event.agentId });
        break;
      case 'WRAPUP': close('wrap-up', event.at, String(event.data?.code ?? 'done')); break;
      case 'CALLBACK': break;
    }
  }
  return segments;
}
