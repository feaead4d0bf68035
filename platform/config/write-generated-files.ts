// Regenerates the two committed files derived from the schema:
//   npm run build && node dist/platform/config/write-generated-files.js
// (from the repository root). Tests fail when either is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { popJsonSchemaText } from './pop-json-schema.js';
import { popFieldReference, replaceFieldReference } from './pop-reference.js';

export const schemaFile = 'configs/pops/pop.schema.json';
export const referenceFile = 'docs/pop-config.md';

function writeGeneratedFiles(repoRoot: string): void {
  writeFileSync(resolve(repoRoot, schemaFile), popJsonSchemaText());
  const docPath = resolve(repoRoot, referenceFile);
  writeFileSync(docPath, replaceFieldReference(readFileSync(docPath, 'utf8'), popFieldReference()));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeGeneratedFiles(process.cwd());
  process.stdout.write(`wrote ${schemaFile} and the reference in ${referenceFile}\n`);
}
