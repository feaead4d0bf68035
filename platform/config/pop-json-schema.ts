// The JSON Schema of POP files, generated from the zod schema so the two cannot disagree.
// configs/pops/pop.schema.json is this text, committed for editors (yaml-language-server);
// a test fails when the committed file drifts from the generator.
import { z } from 'zod';
import { popFileShape } from './pop-schema.js';

export function popJsonSchema(): Record<string, unknown> {
  // io: 'input' describes what may be written (fields with defaults are optional);
  // draft-07 is the dialect editors' YAML/JSON language servers support best.
  const generated = z.toJSONSchema(popFileShape, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: 'VPOP POP configuration', ...rest };
}

/** The committed file's exact text. */
export function popJsonSchemaText(): string {
  return `${JSON.stringify(popJsonSchema(), null, 2)}\n`;
}
