import { resolve } from 'node:path';

/** The repository's top directory, for tests that read shipped files (configs/, dist/). */
export const repoRoot = resolve(import.meta.dirname, '../..');
