// The configuration store: entities as validated JSON documents in SQLite, references as
// rows under foreign keys, every admin change in the audit log, flows versioned.
import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { formatFieldPath } from '../../platform/config/yaml-positions.js';
import { flowProblems } from '../flows/flow-validation.js';
import type { Flow } from '../flows/flow-schema.js';
import { tenantSchema, type Tenant } from './entity-schemas.js';
import { EntityError, fieldProblem } from './entity-error.js';
import { entityKinds, entitySchemas, kindLabel, referencesOf, type AnyEntity, type EntityKind, type EntityTypes } from './entity-kinds.js';
import { migrate } from './migrations.js';

export interface StoredEntity<T> {
  entity: T;
  version: number;
  updatedAt: string;
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  kind: string;
  entityId: string;
  detail: unknown;
}

export interface EntityChange {
  kind: EntityKind | 'tenant';
  id: string;
  action: 'put' | 'delete';
}

/** A whole contact center, as a provisioning file holds it. */
export type ContactCenter = { tenant: Tenant } & { [K in EntityKind]: Array<EntityTypes[K]> };

interface EntityRow { body: string; version: number; updated_at: string }

export class ConfigStore extends EventEmitter<{ change: [EntityChange] }> {
  readonly db: Database.Database;

  constructor(path = ':memory:') {
    super();
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
  }

  close(): void {
    this.db.close();
  }

  list<K extends EntityKind>(kind: K): Array<EntityTypes[K]> {
    const rows = this.db.prepare('SELECT body FROM entities WHERE kind = ? ORDER BY id').all(kind) as Array<{ body: string }>;
    return rows.map((row) => JSON.parse(row.body) as EntityTypes[K]);
  }

  get<K extends EntityKind>(kind: K, id: string): StoredEntity<EntityTypes[K]> | undefined {
    const row = this.db.prepare('SELECT body, version, updated_at FROM entities WHERE kind = ? AND id = ?').get(kind, id) as EntityRow | undefined;
    return row && { entity: JSON.parse(row.body) as EntityTypes[K], version: row.version, updatedAt: row.updated_at };
  }

  /** Checks an entity as the API would take it: shape, flow wiring, references. Throws EntityError(400). */
  validate<K extends EntityKind>(kind: K, input: unknown): EntityTypes[K] {
    const parsed = (entitySchemas[kind] as z.ZodType).safeParse(input);
    if (!parsed.success) {
      throw new EntityError(400, parsed.error.issues.map((issue) => fieldProblem(issue.path.filter((s) => typeof s !== 'symbol') as Array<string | number>, issue.message)));
    }
    const entity = parsed.data as EntityTypes[K];
    if (kind === 'flows') {
      const problems = flowProblems(entity as Flow);
      if (problems.length > 0) throw new EntityError(400, problems.map((problem) => fieldProblem(problem.path, problem.message)));
    }
    return entity;
  }

  /** Creates or replaces an entity; each change of a flow is a new version. */
  put<K extends EntityKind>(kind: K, input: unknown, actor: string): StoredEntity<EntityTypes[K]> & { created: boolean } {
    const entity = this.validate(kind, input);
    const missing = referencesOf(kind, entity).filter((ref) => !(ref.kind === kind && ref.id === entity.id) && !this.exists(ref.kind, ref.id));
    if (missing.length > 0) {
      throw new EntityError(400, missing.map((ref) => fieldProblem(ref.field, `no ${kindLabel(ref.kind)} "${ref.id}"`)));
    }
    const result = this.db.transaction(() => this.write(kind, entity, actor))();
    this.emit('change', { kind, id: entity.id, action: 'put' });
    return result;
  }

  /** Deletes an entity; 409 naming every entity that still uses it. */
  delete(kind: EntityKind, id: string, actor: string): void {
    if (!this.exists(kind, id)) throw new EntityError(404, [{ field: 'id', reason: `no ${kindLabel(kind)} "${id}"` }]);
    const users = this.db
      .prepare('SELECT from_kind, from_id, field FROM entity_refs WHERE to_kind = ? AND to_id = ? AND NOT (from_kind = ? AND from_id = ?)')
      .all(kind, id, kind, id) as Array<{ from_kind: string; from_id: string; field: string }>;
    if (users.length > 0) {
      const usedBy = users.map((row) => ({ kind: row.from_kind, id: row.from_id, field: row.field }));
      const names = usedBy.map((user) => `${kindLabel(user.kind as EntityKind)} "${user.id}" (${user.field})`).join(', ');
      throw new EntityError(409, [{ field: 'id', reason: `${kindLabel(kind)} "${id}" is in use by ${names}` }], usedBy);
    }
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM entities WHERE kind = ? AND id = ?').run(kind, id);
      this.audit(actor, 'delete', kind, id, {});
    })();
    this.emit('change', { kind, id, action: 'delete' });
  }

  tenant(): Tenant {
    const row = this.db.prepare('SELECT body FROM tenant WHERE singleton = 1').get() as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Tenant) : tenantSchema.parse({});
  }

  setTenant(input: unknown, actor: string): Tenant {
    const parsed = tenantSchema.safeParse(input);
    if (!parsed.success) throw new EntityError(400, parsed.error.issues.map((issue) => fieldProblem(issue.path as Array<string | number>, issue.message)));
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO tenant (singleton, body) VALUES (1, ?) ON CONFLICT (singleton) DO UPDATE SET body = excluded.body').run(JSON.stringify(parsed.data));
      this.audit(actor, 'put', 'tenant', 'tenant', parsed.data);
    })();
    this.emit('change', { kind: 'tenant', id: 'tenant', action: 'put' });
    return parsed.data;
  }

  /**
   * Replaces the whole configuration with a provisioned contact center, atomically (the
   * caller has validated it, references included). Foreign keys are checked at commit.
   */
  replaceAll(center: ContactCenter, actor: string): void {
    this.db.transaction(() => {
      this.db.pragma('defer_foreign_keys = ON');
      // References are rewritten by each write; entities the file no longer has go, the rest
      // are updated in place so flow versions carry on from what the database had.
      this.db.prepare('DELETE FROM entity_refs').run();
      const keep = new Set(entityKinds.flatMap((kind) => center[kind].map((entity) => `${kind}/${entity.id}`)));
      const existing = this.db.prepare('SELECT kind, id FROM entities').all() as Array<{ kind: string; id: string }>;
      for (const row of existing) if (!keep.has(`${row.kind}/${row.id}`)) this.db.prepare('DELETE FROM entities WHERE kind = ? AND id = ?').run(row.kind, row.id);
      for (const kind of entityKinds) for (const entity of center[kind]) this.write(kind, entity as AnyEntity, actor, true);
      this.db.prepare('INSERT INTO tenant (singleton, body) VALUES (1, ?) ON CONFLICT (singleton) DO UPDATE SET body = excluded.body').run(JSON.stringify(center.tenant));
      this.audit(actor, 'provision', 'tenant', 'tenant', { counts: Object.fromEntries(entityKinds.map((kind) => [kind, center[kind].length])) });
    })();
    this.emit('change', { kind: 'tenant', id: 'tenant', action: 'put' });
  }

  flowVersion(id: string, version: number): Flow | undefined {
    const row = this.db.prepare('SELECT body FROM flow_versions WHERE flow_id = ? AND version = ?').get(id, version) as { body: string } | undefined;
    return row && (JSON.parse(row.body) as Flow);
  }

  auditLog(limit = 100): AuditRecord[] {
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(limit) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      seq: row.seq as number, at: row.at as string, actor: row.actor as string, action: row.action as string,
      kind: row.kind as string, entityId: row.entity_id as string, detail: JSON.parse(row.detail as string) as unknown,
    }));
  }

  /** Audit records for actions that are not entity writes (e.g. a supervisor changing an agent's state). */
  audit(actor: string, action: string, kind: string, id: string, detail: unknown): void {
    this.db.prepare('INSERT INTO audit_log (at, actor, action, kind, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(new Date().toISOString(), actor, action, kind, id, JSON.stringify(detail, redactSecrets));
  }

  exists(kind: EntityKind, id: string): boolean {
    return this.db.prepare('SELECT 1 FROM entities WHERE kind = ? AND id = ?').get(kind, id) !== undefined;
  }

  /** With `unlessUnchanged`, an entity whose content is the same keeps its version (re-provisioning). */
  private write<K extends EntityKind>(kind: K, entity: EntityTypes[K], actor: string, unlessUnchanged = false): StoredEntity<EntityTypes[K]> & { created: boolean } {
    const previous = this.db.prepare('SELECT body, version, updated_at FROM entities WHERE kind = ? AND id = ?').get(kind, entity.id) as EntityRow | undefined;
    const sameContent = previous !== undefined && JSON.stringify({ ...(JSON.parse(previous.body) as object), version: undefined }) === JSON.stringify({ ...entity, version: undefined });
    const insertRef = this.db.prepare('INSERT INTO entity_refs (from_kind, from_id, field, to_kind, to_id) VALUES (?, ?, ?, ?, ?)');
    if (unlessUnchanged && previous && sameContent) {
      for (const ref of referencesOf(kind, entity)) insertRef.run(kind, entity.id, formatFieldPath(ref.field), ref.kind, ref.id);
      return { entity: JSON.parse(previous.body) as EntityTypes[K], version: previous.version, updatedAt: previous.updated_at, created: false };
    }
    const lastFlowVersion = kind === 'flows'
      ? (this.db.prepare('SELECT MAX(version) AS version FROM flow_versions WHERE flow_id = ?').get(entity.id) as { version: number | null }).version ?? 0
      : 0;
    const version = Math.max(previous?.version ?? 0, lastFlowVersion) + 1;
    const stored = kind === 'flows' ? { ...entity, version } : entity;
    const body = JSON.stringify(stored);
    const updatedAt = new Date().toISOString();
    this.db.prepare(`INSERT INTO entities (kind, id, body, version, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, version = excluded.version, updated_at = excluded.updated_at`)
      .run(kind, entity.id, body, version, updatedAt);
    this.db.prepare('DELETE FROM entity_refs WHERE from_kind = ? AND from_id = ?').run(kind, entity.id);
    for (const ref of referencesOf(kind, entity)) insertRef.run(kind, entity.id, formatFieldPath(ref.field), ref.kind, ref.id);
    if (kind === 'flows') this.db.prepare('INSERT INTO flow_versions (flow_id, version, body, created_at) VALUES (?, ?, ?, ?)').run(entity.id, version, body, updatedAt);
    this.audit(actor, previous ? 'update' : 'create', kind, entity.id, stored);
    return { entity: stored, version, updatedAt, created: !previous };
  }
}

/** Password hashes never reach the audit log. */
function redactSecrets(key: string, value: unknown): unknown {
  return key === 'passwordHash' ? '[hash]' : value;
}
