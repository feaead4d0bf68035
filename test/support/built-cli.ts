// The built `vpop` CLI as an operator or CI runs it (tests of the CLI drive dist/, not the sources).
import { execFileSync, spawnSync } from 'node:child_process';
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
 * Runs `npm run build`. tsc still emits when a file elsewhere in the tree fails to
 * typecheck; that is not the calling test's subject, so a failed build only throws when
 * the CLI or one of `neededFiles` (paths under dist/) is missing.
 */
export function buildCli(neededFiles: readonly string[], timeoutMs: number): void {
  try {
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'pipe', timeout: timeoutMs });
  } catch (error) {
    if (!existsSync(builtCli) || neededFiles.some((file) => !existsSync(join(repoRoot, 'dist', file)))) throw error;
  }
}
