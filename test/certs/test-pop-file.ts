// A POP file for certificate tests: the shipped local.yaml with its TLS files and state
// directory moved into a temporary directory, so tests never touch the repository's .vpop/.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/repo-root.js';

export interface TestPopFileOptions {
  generateIfMissing?: boolean;
}

/** Writes <dir>/pop.yaml; TLS files are <dir>/tls/pop.crt and pop.key (the core's tls/core.crt, core.key), state is <dir>/state. */
export function writeTestPopFile(dir: string, options: TestPopFileOptions = {}): string {
  const text = readFileSync(join(repoRoot, 'configs/pops/local.yaml'), 'utf8')
    .replace(/^# yaml-language-server.*\n/m, '')
    .replace(/certFile: .*/, 'certFile: tls/pop.crt')
    .replace(/keyFile: .*/, 'keyFile: tls/pop.key')
    .replace(/generateIfMissing: .*/, `generateIfMissing: ${String(options.generateIfMissing ?? true)}`)
    .replace(/^stateDir: .*/m, 'stateDir: state')
    // The core link's CA and the stand-in core's pair, inside the directory too.
    .replace(/^ {2}caFile: \.\.\/.*/m, '  caFile: state/ca/ca.crt')
    .replace(/^ {2}certFile: \.\.\/.*core\.crt/m, '  certFile: tls/core.crt')
    .replace(/^ {2}keyFile: \.\.\/.*core\.key/m, '  keyFile: tls/core.key');
  const file = join(dir, 'pop.yaml');
  writeFileSync(file, text);
  return file;
}
