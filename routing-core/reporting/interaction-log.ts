// The append-only interaction event log (after Asterisk's queue_log): every report is
// computed from these rows, never from mutable state. Rows are never updated or deleted.
// Sensitive flow values cannot reach it in clear: they serialise as a mask.
import type { Database } from 'better-sqlite3';

export type InteractionEventType =
  | 'ENTERQUEUE' // call entered a queue
  | 'RINGING' // reserved and offered to an agent
  | 'RINGNOANSWER' // RONA: back to the queue
  | 'CONNECT' // agent answered; data.waitSeconds
  | 'ABANDON' // caller hung up while waiting; data.waitSeconds
  | 'OVERFLOW' // left for an overflow target or capacity-based team; data.waitSeconds
  | 'CALLBACK' // caller chose a courtesy callback (keeps the place)
  | 'COMPLETE' // conversation ended; data.talkSeconds
  | 'WRAPUP'; // wrap-up ended; data.code, data.wrapUpSeconds

export interface InteractionEvent {
  seq?: number;
  at: number;
  interactionId: string;
  event: InteractionEventType;
  queueId?: string;
  agentId?: string;
  data?: Record<string, unknown>;
}

export class InteractionLog {
  private readonly insert;
  private readonly listeners = new Set<(event: InteractionEvent) => void>();

  constructor(private readonly db: Database) {
    this.insert = db.prepare('INSERT INTO interaction_events (at_ms, interaction_id, event, queue_id, agent_id, data) VALUES (?, ?, ?, ?, ?, ?)');
  }

  append(event: InteractionEvent): InteractionEvent {
    const info = this.insert.run(event.at, event.interactionId, event.event, event.queueId ?? null, event.agentId ?? null, JSON.stringify(event.data ?? {}));
    const stored = { ...event, seq: Number(info.lastInsertRowid) };
    for (const listener of this.listeners) listener(stored);
    return stored;
  }

  onAppend(listener: (event: InteractionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events with from <= at < to, oldest first; optionally of one interaction. */
  list(range: { from?: number; to?: number; interactionId?: string; limit?: number } = {}): InteractionEvent[] {
    const rows = this.db.prepare(`SELECT * FROM interaction_events WHERE at_ms >= ? AND at_ms < ? ${range.interactionId ? 'AND interaction_id = ?' : ''}
      ORDER BY seq LIMIT ?`).all(...[range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER, ...(range.interactionId ? [range.interactionId] : []), range.limit ?? 10_000]) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      seq: row.seq as number, at: row.at_ms as number, interactionId: row.interaction_id as string, event: row.event as InteractionEventType,
      ...(row.queue_id !== null ? { queueId: row.queue_id as string } : {}),
      ...(row.agent_id !== null ? { agentId: row.agent_id as string } : {}),
      data: JSON.parse(row.data as string) as Record<string, unknown>,
    }));
  }
}
