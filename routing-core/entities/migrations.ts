// Schema migrations of the core's SQLite database, applied in order, each once, each in
// a transaction; user_version records how far a database is. Add a migration at the end;
// never edit one that has shipped.
import type { Database } from 'better-sqlite3';

const migrations: readonly string[] = [
  // 1: entities as JSON documents, references between them as rows so SQLite enforces
  // integrity (ON DELETE RESTRICT: a queue a flow uses cannot be deleted).
  `CREATE TABLE entities (
     kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, version INTEGER NOT NULL,
     updated_at TEXT NOT NULL, PRIMARY KEY (kind, id)) STRICT;
   CREATE TABLE entity_refs (
     from_kind TEXT NOT NULL, from_id TEXT NOT NULL, field TEXT NOT NULL, to_kind TEXT NOT NULL, to_id TEXT NOT NULL,
     FOREIGN KEY (from_kind, from_id) REFERENCES entities (kind, id) ON DELETE CASCADE,
     FOREIGN KEY (to_kind, to_id) REFERENCES entities (kind, id) ON DELETE RESTRICT) STRICT;
   CREATE INDEX entity_refs_to ON entity_refs (to_kind, to_id);
   CREATE INDEX entity_refs_from ON entity_refs (from_kind, from_id);
   CREATE TABLE flow_versions (flow_id TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,
     PRIMARY KEY (flow_id, version)) STRICT;
   CREATE TABLE tenant (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), body TEXT NOT NULL) STRICT;
   CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
     kind TEXT NOT NULL, entity_id TEXT NOT NULL, detail TEXT NOT NULL) STRICT;`,
  // 2: the append-only interaction event log every report is computed from (queue_log style).
  `CREATE TABLE interaction_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, interaction_id TEXT NOT NULL,
     event TEXT NOT NULL, queue_id TEXT, agent_id TEXT, data TEXT NOT NULL) STRICT;
   CREATE INDEX interaction_events_at ON interaction_events (at_ms);
   CREATE INDEX interaction_events_interaction ON interaction_events (interaction_id);`,
];

export const latestSchemaVersion = migrations.length;

/** Brings the database to the latest schema; returns the versions applied. */
export function migrate(db: Database): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this core knows (${migrations.length}); upgrade the core`);
  }
  const applied: number[] = [];
  for (let version = current + 1; version <= migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version - 1] as string);
      db.pragma(`user_version = ${version}`);
    })();
    applied.push(version);
  }
  return applied;
}
