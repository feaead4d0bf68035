import { fileURLToPath } from 'node:url';
import { dirname, join, sep } from 'node:path';

/**
 * Paths to built scripts and source assets, whether this module runs compiled from
 * dist/bench/engine/ (the benchmarks) or as TypeScript from bench/engine/ (their tests).
 */
const here = dirname(fileURLToPath(import.meta.url));
const compiled = here.endsWith(`${sep}dist${sep}bench${sep}engine`);
const repoRoot = join(here, compiled ? '../../..' : '../..');

/** A file under dist/, e.g. builtFile('cli/vpop.js'); needs `npm run build`. */
export function builtFile(path: string): string {
  return join(repoRoot, 'dist', path);
}

/** A file in the source tree, e.g. sourceFile('bench/engine/invite-latency.uac.xml'). */
export function sourceFile(path: string): string {
  return join(repoRoot, path);
}
