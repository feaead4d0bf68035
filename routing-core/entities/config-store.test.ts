import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigStore } from './config-store.js';
import { EntityError } from './entity-error.js';
import { latestSchemaVersion } from './migrations.js';
import { hashPassword, verifyPassword } from './password-hash.js';

function seeded(): ConfigStore {
  const store = new ConfigStore();
  store.put('sites', { id: 's', name: 'S' }, 'admin');
  store.put('teams', { id: 't', name: 'T', site: 's' }, 'admin');
  store.put('queues', { id: 'q', name: 'Q', groups: [{ teams: ['t'] }] }, 'admin');
  store.put('flows', { id: 'f', start: 'a', activities: [{ id: 'a', type: 'queue', queue: 'q', next: 'b', error: 'b' }, { id: 'b', type: 'disconnect' }] }, 'admin');
  return store;
}

function refusal(action: () => unknown): EntityError {
  try {
    action();
  } catch (error) {
    if (error instanceof EntityError) return error;
    throw error;
  }
  throw new Error('expected an EntityError');
}

describe('configuration store (SQLite)', () => {
  it('migrates a new file once and reopens it at the latest version', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'core-db-')), 'core.sqlite');
    const first = new ConfigStore(file);
    first.put('sites', { id: 's', name: 'S' }, 'admin');
    first.close();
    const again = new ConfigStore(file);
    expect(again.db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
    expect(again.list('sites')).toEqual([{ id: 's', name: 'S' }]);
    again.close();
  });

  it('refuses a queue a flow uses with 409 naming the flow and field', () => {
    const store = seeded();
    const error = refusal(() => store.delete('queues', 'q', 'admin'));
    expect(error.status).toBe(409);
    expect(error.usedBy).toEqual([{ kind: 'flows', id: 'f', field: 'activities[0].queue' }]);
    expect(error.message).toContain('queue "q" is in use by flow "f" (activities[0].queue)');
    store.delete('flows', 'f', 'admin');
    store.delete('queues', 'q', 'admin');
    expect(store.exists('queues', 'q')).toBe(false);
  });

  it('refuses bad fields and unknown references with 400 and the field', () => {
    const store = seeded();
    const bad = refusal(() => store.put('queues', { id: 'Q!', name: '', groups: [] }, 'admin'));
    expect(bad.status).toBe(400);
    expect(bad.problems.map((problem) => problem.field)).toEqual(['id', 'name', 'groups']);
    const missing = refusal(() => store.put('teams', { id: 't2', name: 'T2', site: 'elsewhere' }, 'admin'));
    expect(missing.problems).toEqual([{ field: 'site', reason: 'no site "elsewhere"' }]);
    const wiring = refusal(() => store.put('flows', { id: 'g', start: 'x', activities: [{ id: 'a', type: 'disconnect' }] }, 'admin'));
    expect(wiring.problems).toEqual([{ field: 'start', reason: 'no activity "x"' }]);
    expect(refusal(() => store.delete('sites', 'nowhere', 'admin')).status).toBe(404);
  });

  it('versions flows and audits every change without password hashes', async () => {
    const store = seeded();
    const flow = store.get('flows', 'f')?.entity;
    const second = store.put('flows', { ...flow, start: 'b' }, 'alice');
    expect(second.version).toBe(2);
    expect(store.flowVersion('f', 1)?.start).toBe('a');
    expect(store.flowVersion('f', 2)?.start).toBe('b');
    store.put('profiles', { id: 'p', role: 'agent' }, 'admin');
    store.put('users', { id: 'u', name: 'U', login: 'u', site: 's', profile: 'p', passwordHash: await hashPassword('pw') }, 'admin');
    const log = store.auditLog();
    expect(log[0]).toMatchObject({ actor: 'admin', action: 'create', kind: 'users', entityId: 'u', detail: { passwordHash: '[hash]' } });
    expect(log[2]).toMatchObject({ actor: 'alice', action: 'update', kind: 'flows', entityId: 'f' });
  });

  it('re-provisioning keeps unchanged entities\' versions, versions changed flows on, drops what the file no longer has', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'core-db-')), 'core.sqlite');
    const flow = { id: 'f', start: 'a', activities: [{ id: 'a', type: 'disconnect' }] };
    const center = (flows: unknown[], sites: unknown[]) => ({
      tenant: { recording: true, maskCallerNumbers: true, desktopAllowedDomains: [], idleReasons: [], wrapUpCodes: [] },
      sites, teams: [], capacityTeams: [], profiles: [], users: [], queues: [], entryPoints: [], flows,
    }) as never;
    const first = new ConfigStore(file);
    first.replaceAll(center([flow], [{ id: 's', name: 'S' }, { id: 'gone', name: 'G' }]), 'provisioning');
    first.close();
    const again = new ConfigStore(file);
    again.replaceAll(center([flow], [{ id: 's', name: 'S' }]), 'provisioning');
    expect(again.get('flows', 'f')?.version).toBe(1);
    expect(again.exists('sites', 'gone')).toBe(false);
    again.replaceAll(center([{ ...flow, name: 'renamed' }], [{ id: 's', name: 'S' }]), 'provisioning');
    expect(again.get('flows', 'f')?.version).toBe(2);
    expect(again.flowVersion('f', 1)?.name).toBeUndefined();
    again.close();
  });

  it('hashes passwords with scrypt and verifies them', async () => {
    const hash = await hashPassword('secret');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('secret', hash)).toBe(true);
    expect(await verifyPassword('Secret', hash)).toBe(false);
    expect(await verifyPassword('secret', 'plain')).toBe(false);
  });
});
