// The recording index (SQLite, better-sqlite3): one row per recording with its wrapped data
// key and metadata, and every start, pause, resume and stop with its time and who asked.
// Rows are written as things happen, so the index is also the journal that crash recovery
// reads: a row still 'recording' at start-up belongs to a process that died.
import Database from 'better-sqlite3';
import type { RecordedRole } from './segment-join.js';

export type RecordingStatus = 'recording' | 'complete' | 'partial';
export type RecordingAction = 'start' | 'pause' | 'resume' | 'stop' | 'recovered';

export interface RecordingRow {
  id: string;
  callId: string;
  status: RecordingStatus;
  dialledNumber: string | null;
  callerSealed: Buffer | null;
  agent: string | null;
  queue: string | null;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  file: string | null;
  bytes: number | null;
  keyId: string;
  wrappedKey: Buffer;
}

export interface RecordingEvent {
  at: number;
  action: RecordingAction;
  by: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS recordings (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'partial')),
  dialled_number TEXT,
  caller_sealed BLOB,
  agent TEXT,
  queue TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  duration_ms INTEGER,
  file TEXT,
  bytes INTEGER,
  key_id TEXT NOT NULL,
  wrapped_key BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS recordings_started ON recordings (started_at);
CREATE INDEX IF NOT EXISTS recordings_status ON recordings (status);
CREATE TABLE IF NOT EXISTS recording_events (
  recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS recording_events_id ON recording_events (recording_id);
CREATE TABLE IF NOT EXISTS recording_ports (
  recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  port INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('caller', 'agent')),
  PRIMARY KEY (recording_id, port)
);
`;

interface RawRow {
  id: string; call_id: string; status: RecordingStatus; dialled_number: string | null; caller_sealed: Buffer | null;
  agent: string | null; queue: string | null; started_at: number; ended_at: number | null; duration_ms: number | null;
  file: string | null; bytes: number | null; key_id: string; wrapped_key: Buffer;
}

function rowOf(raw: RawRow): RecordingRow {
  return {
    id: raw.id, callId: raw.call_id, status: raw.status, dialledNumber: raw.dialled_number, callerSealed: raw.caller_sealed,
    agent: raw.agent, queue: raw.queue, startedAt: raw.started_at, endedAt: raw.ended_at, durationMs: raw.duration_ms,
    file: raw.file, bytes: raw.bytes, keyId: raw.key_id, wrappedKey: raw.wrapped_key,
  };
}

export class RecordingIndex {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    // WAL: a committed row survives a kill -9 of this process, and readers (the CLI) do not block the writer.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  insert(row: Omit<RecordingRow, 'status' | 'endedAt' | 'durationMs' | 'file' | 'bytes'>): void {
    this.db.prepare(`INSERT INTO recordings (id, call_id, status, dialled_number, caller_sealed, agent, queue, started_at, key_id, wrapped_key)
      VALUES (?, ?, 'recording', ?, ?, ?, ?, ?, ?, ?)`).run(
      row.id, row.callId, row.dialledNumber, row.callerSealed, row.agent, row.queue, row.startedAt, row.keyId, row.wrappedKey);
  }

  addEvent(id: string, event: RecordingEvent): void {
    this.db.prepare('INSERT INTO recording_events (recording_id, at, action, by) VALUES (?, ?, ?, ?)').run(id, event.at, event.action, event.by);
  }

  addPorts(id: string, ports: ReadonlyMap<number, RecordedRole>): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO recording_ports (recording_id, port, role) VALUES (?, ?, ?)');
    this.db.transaction(() => { for (const [port, role] of ports) insert.run(id, port, role); })();
  }

  ports(id: string): Map<number, RecordedRole> {
    const rows = this.db.prepare('SELECT port, role FROM recording_ports WHERE recording_id = ?').all(id) as { port: number; role: RecordedRole }[];
    return new Map(rows.map((row) => [row.port, row.role]));
  }

  events(id: string): RecordingEvent[] {
    return this.db.prepare('SELECT at, action, by FROM recording_events WHERE recording_id = ? ORDER BY rowid').all(id) as RecordingEvent[];
  }

  finish(id: string, outcome: { status: 'complete' | 'partial'; endedAt: number; durationMs: number; file: string; bytes: number }): void {
    this.db.prepare('UPDATE recordings SET status = ?, ended_at = ?, duration_ms = ?, file = ?, bytes = ? WHERE id = ?')
      .run(outcome.status, outcome.endedAt, outcome.durationMs, outcome.file, outcome.bytes, id);
  }

  get(id: string): RecordingRow | undefined {
    const raw = this.db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as RawRow | undefined;
    return raw && rowOf(raw);
  }

  list(filter: { status?: RecordingStatus; callId?: string } = {}): RecordingRow[] {
    const raws = this.db.prepare(`SELECT * FROM recordings WHERE (@status IS NULL OR status = @status) AND (@callId IS NULL OR call_id = @callId)
      ORDER BY started_at`).all({ status: filter.status ?? null, callId: filter.callId ?? null }) as RawRow[];
    return raws.map(rowOf);
  }

  startedBefore(atMs: number): RecordingRow[] {
    return (this.db.prepare("SELECT * FROM recordings WHERE started_at < ? AND status != 'recording' ORDER BY started_at").all(atMs) as RawRow[]).map(rowOf);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM recordings WHERE id = ?').run(id);
  }

  /** Replaces every data key's wrapping in one transaction: all rows re-wrapped, or none. */
  rewrapAll(rewrap: (row: RecordingRow) => { keyId: string; wrappedKey: Buffer }): number {
    const update = this.db.prepare('UPDATE recordings SET key_id = ?, wrapped_key = ? WHERE id = ?');
    return this.db.transaction(() => {
      const rows = (this.db.prepare('SELECT * FROM recordings').all() as RawRow[]).map(rowOf);
      for (const row of rows) {
        const next = rewrap(row);
        update.run(next.keyId, next.wrappedKey, row.id);
      }
      return rows.length;
    })();
  }

  close(): void {
    this.db.close();
  }
}
