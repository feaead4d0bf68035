import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPopFiles } from './load-pop-config.js';

const pairDir = join(import.meta.dirname, 'fixtures/broken-pair');
const pops = resolve(import.meta.dirname, '../../configs/pops');

describe('checkPopFiles on a redundant pair', () => {
  it('reports each disagreement in the file to fix', () => {
    const [a, b] = checkPopFiles([join(pairDir, 'pair-a.yaml'), join(pairDir, 'pair-b.yaml')]);
    expect(a?.problems.map((p) => [p.line, p.column, p.path, p.message])).toEqual([
      [30, 35, 'redundancy.peer.address', "127.0.0.99 is none of pair-b's addresses (127.0.0.1)"],
    ]);
    expect(b?.problems.map((p) => [p.line, p.column, p.path, p.message])).toEqual([
      [13, 12, 'trunks[0].allow', 'allow-list of trunk "carrier-one" differs from peer pair-a\'s (127.0.0.2/32)'],
      [18, 11, 'trunks[1].name', 'trunk "carrier-two" is not on peer pair-a: both POPs of a pair serve the same trunks'],
      [37, 9, 'redundancy.role', 'both pair-a and pair-b are primary: one must be primary, the other secondary'],
    ]);
  });

  it('checks each member alone when given alone', () => {
    expect(checkPopFiles([join(pairDir, 'pair-a.yaml')])[0]?.problems).toEqual([]);
    expect(checkPopFiles([join(pairDir, 'pair-b.yaml')])[0]?.problems).toEqual([]);
  });

  it('passes the shipped nyc1 pair, and notices when B stops naming A', () => {
    const files = [join(pops, 'nyc1-a.yaml'), join(pops, 'nyc1-b.yaml')];
    for (const report of checkPopFiles(files, { checkFiles: false })) expect(report.problems, report.file).toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), 'vpop-pair-'));
    try {
      const orphan = join(dir, 'nyc1-b.yaml');
      writeFileSync(orphan, readFileSync(files[1] as string, 'utf8').replace(/\nredundancy:\n[\s\S]*?role: secondary\n/, '\n'));
      const [, b] = checkPopFiles([files[0] as string, orphan], { checkFiles: false });
      expect(b?.problems.map((p) => [p.path, p.message])).toEqual([
        ['pop.id', 'nyc1-a names this POP as its redundancy peer, but this file has no redundancy section'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
