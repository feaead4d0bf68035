import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigProblem } from '../../platform/config/config-problem.js';
import { ConfigStore } from '../entities/config-store.js';
import { inspectCoreFile, loadCoreFile } from './load-core-file.js';

const demo = join(import.meta.dirname, '../../configs/core/local.yaml');
const dir = mkdtempSync(join(tmpdir(), 'core-file-'));

function problemsOf(text: string): string[] {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return inspectCoreFile(file).problems.map((problem) => formatConfigProblem(problem).replace(`${file}:`, ''));
}

const minimal = `
sites: [{ id: s, name: S }]
teams: [{ id: t, name: T, site: s }]
queues:
  - id: q
    name: Q
    groups: [{ teams: [t] }]
flows:
  - id: f
    start: a
    activities:
      - { id: a, type: queue, queue: q, next: b, error: b }
      - { id: b, type: disconnect }
entryPoints: [{ id: e, name: E, number: "18005550100", flow: f }]
`;

describe('core provisioning file', () => {
  it('loads the demo contact center: entry point 18005550100, IVR, two queues, two teams, three agents with SIP phones', () => {
    const config = loadCoreFile(demo);
    expect(config.core.http).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(config.entryPoints.map((entry) => entry.number)).toEqual(['18005550100']);
    expect(config.queues.map((queue) => queue.id)).toEqual(['sales', 'support']);
    expect(config.teams).toHaveLength(2);
    const agents = config.users.filter((user) => user.profile === 'agent');
    expect(agents).toHaveLength(3);
    for (const agent of agents) expect(agent.dialNumbers[0]).toMatch(/^sip:agent\d$/);
    const flow = config.flows[0];
    expect(flow?.activities.map((activity) => activity.type)).toEqual(expect.arrayContaining(['play', 'menu', 'queue']));
    const store = new ConfigStore();
    store.replaceAll(config, 'test');
    expect(store.list('users')).toHaveLength(5);
    expect(store.get('flows', 'main-ivr')?.version).toBe(1);
    store.close();
  });

  it('a minimal file is valid', () => {
    expect(problemsOf(minimal)).toEqual([]);
  });

  it('names file, line, column and field for a typo, a wrong type and a bad value', () => {
    expect(problemsOf(minimal.replace('name: Q', 'name: Q\n    ronaSecond: 5'))).toEqual([
      '7:5: queues[0].ronaSecond: unknown key "ronaSecond"; did you mean "ronaSeconds"?',
    ]);
    expect(problemsOf(minimal.replace('name: Q', 'name: Q\n    ronaSeconds: soon'))).toEqual([
      '7:18: queues[0].ronaSeconds: expected number, got "soon"',
    ]);
    expect(problemsOf(minimal.replace('name: Q', 'name: Q\n    algorithm: random'))).toEqual([
      '7:16: queues[0].algorithm: "random" is not one of "longest-available", "best-available"',
    ]);
  });

  it('reports references to entities the file does not define, and duplicate ids and numbers', () => {
    expect(problemsOf(minimal.replace('teams: [t] }', 'teams: [t, nobody] }'))).toEqual([
      '7:27: queues[0].groups[0].teams[1]: no team "nobody" in this file',
    ]);
    expect(problemsOf(minimal.replace('flow: f }]', 'flow: f }, { id: e2, name: E2, number: "18005550100", flow: f }]'))).toEqual([
      '14:95: entryPoints[1].number: number 18005550100 is already entryPoints[0]\'s',
    ]);
  });

  it('reports flow wiring with the activity id and field', () => {
    expect(problemsOf(minimal.replace('next: b, error: b', 'next: nowhere, error: b'))).toEqual([
      '12:47: flows[0].activities[0].next: activity "a": no activity "nowhere"',
    ]);
    expect(problemsOf(minimal.replace('{ id: b, type: disconnect }', '{ id: b, type: setVariable, variable: x, expression: "1 +", next: b, error: b }'))).toEqual([
      expect.stringMatching(/^13:62: flows\[0\]\.activities\[1\]\.expression: activity "b": expression does not compile/),
    ]);
  });
});
