import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPopFile } from './load-pop-config.js';
import { popJsonSchemaText } from './pop-json-schema.js';
import { popFieldReference, referenceBegin, referenceEnd, replaceFieldReference } from './pop-reference.js';
import { referenceFile, schemaFile } from './write-generated-files.js';

const repo = resolve(import.meta.dirname, '../..');
const regenerate = 'regenerate with: npm run build && node dist/platform/config/write-generated-files.js';

describe('files generated from the POP schema', () => {
  it('configs/pops/pop.schema.json is what the generator produces', () => {
    expect(readFileSync(join(repo, schemaFile), 'utf8'), regenerate).toBe(popJsonSchemaText());
  });

  it('docs/pop-config.md carries the current field reference', () => {
    const doc = readFileSync(join(repo, referenceFile), 'utf8');
    expect(doc.slice(doc.indexOf(referenceBegin), doc.indexOf(referenceEnd) + referenceEnd.length + 1), regenerate).toBe(popFieldReference());
  });

  it('the reference documents every field with a description', () => {
    const reference = popFieldReference();
    for (const field of ['pop.id', 'sip.listeners[].publicAddress', 'tls.generateIfMissing', 'trunks[].allow', 'trunks[].clientCert.fingerprintSha256',
      'phones.registrationExpirySeconds.default', 'rtpengine.portMin', 'routingCore.sipUri', 'ops.port', 'redundancy.peer.popId', 'logging.level']) {
      expect(reference).toContain(`| \`${field}\` |`);
    }
    const rows = reference.split('\n').filter((line) => line.startsWith('| `'));
    const undocumented = rows.filter((row) => row.trimEnd().endsWith('|  |'));
    expect(undocumented).toEqual([]);
  });

  it('replaceFieldReference swaps only the generated section', () => {
    const doc = `intro\n${referenceBegin}\nold\n${referenceEnd}\noutro\n`;
    expect(replaceFieldReference(doc, `${referenceBegin}\nnew\n${referenceEnd}\n`)).toBe(`intro\n${referenceBegin}\nnew\n${referenceEnd}\noutro\n`);
    expect(() => replaceFieldReference('no markers', 'x')).toThrow(/markers/);
  });

  it('every shipped POP file starts with the yaml-language-server schema line', () => {
    for (const name of ['local.yaml', 'nyc1-a.yaml', 'nyc1-b.yaml']) {
      const firstLine = readFileSync(join(repo, 'configs/pops', name), 'utf8').split('\n')[0];
      expect(firstLine, name).toBe('# yaml-language-server: $schema=./pop.schema.json');
    }
  });

  it('the example in docs/pop-config.md passes the check', () => {
    const doc = readFileSync(join(repo, referenceFile), 'utf8');
    const example = /## Example: a minimal POP that passes the check\n\n```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'vpop-doc-example-'));
    try {
      const file = join(dir, 'lab1.yaml');
      writeFileSync(file, example ?? '');
      expect(checkPopFile(file)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
