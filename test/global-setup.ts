// Builds dist/ once, before any test file runs. Tests that drive the built CLI or spawn
// POP processes read dist/; building it from inside test files raced with other files
// reading it (tsc rewrites every output file).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export default function buildOnce(): void {
  const root = join(import.meta.dirname, '..');
  try {
    // The same skip-if-current build as `npm run up`, so a test running it finds dist/ current.
    execFileSync('bash', [join(root, 'scripts/build-if-changed.sh')], {
      cwd: root,
      stdio: 'pipe',
      timeout: 300_000,
    });
  } catch (error) {
    // tsc still emits when some file fails to typecheck (the typecheck step reports that);
    // only a missing CLI stops the run.
    if (!existsSync(join(root, 'dist/cli/vpop.js'))) throw error;
  }
}
