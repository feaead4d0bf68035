// The built `vpop` CLI as an operator or CI runs it (tests of the CLI drive dist/, not the sources).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

export const builtCli = join(repoRoot, 'dist/cli/vpop.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli/vpop.js <args>` to completion. */
export function runBuiltCli(args: readonly string[], { cwd, timeoutMs }: { cwd: string; timeoutMs: number }): CliRun {
  const result = spawnSync(process.execPath, [builtCli, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Fails clearly when dist/ lacks the CLI or one of `neededFiles` (paths under dist/).
 * dist/ is built once for the whole run by test/global-setup.ts, never from a test file,
 * since a rebuild rewrites files that other test files are reading.
 */
export function requireBuiltCli(neededFiles: readonly string[]): void {
  const missing = [builtCli, ...neededFiles.map((file) => join(repoRoot, 'dist', file))].filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run \`npm run build\` (vitest's global setup does)`);
}
