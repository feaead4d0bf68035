import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coreJsonSchema } from './core-file-schema.js';

describe('configs/core/core.schema.json', () => {
  it('is the JSON Schema generated from the core file schema (regenerate it after a schema change)', () => {
    const committed = readFileSync(new URL('../../configs/core/core.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(`${JSON.stringify(coreJsonSchema(), null, 2)}\n`);
  });
});
