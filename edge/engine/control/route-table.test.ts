import { describe, expect, it } from 'vitest';
import { RouteTable, type RoutableApp } from './route-table.js';

const app = (id: number, tags: string[] = []): RoutableApp => ({ id, hasTag: (tag) => tags.includes(tag) });

describe('route table', () => {
  it('round-robins among apps routing a verb, case-insensitively', () => {
    const table = new RouteTable<RoutableApp>();
    const a = app(1);
    const b = app(2);
    table.add('invite', a);
    table.add('INVITE', b);
    table.add('invite', a);
    expect([table.select('invite'), table.select('Invite'), table.select('invite')].map((x) => x?.id)).toEqual([1, 2, 1]);
    expect(table.select('options')).toBeUndefined();
  });

  it('selects by tag and forgets apps that leave', () => {
    const table = new RouteTable<RoutableApp>();
    const a = app(1, ['blue']);
    const b = app(2, ['green']);
    table.add('invite', a);
    table.add('invite', b);
    expect(table.select('invite', 'green')?.id).toBe(2);
    expect(table.select('invite', 'red')).toBeUndefined();
    table.removeApp(b);
    expect(table.appsFor('invite')).toEqual([a]);
    table.remove('invite', a);
    expect(table.appsFor('invite')).toEqual([]);
  });
});
