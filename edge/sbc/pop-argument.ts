// The POP file named by `--pop <file>` on a process entry's command line, loaded and
// validated; exits 2 (a configuration error) with the problems when it cannot be used.
import { parseArgs } from 'node:util';
import { ConfigError, loadPopConfig } from '../../platform/config/load-pop-config.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';

export function popFromArguments(program: string): PopConfig {
  const { values } = parseArgs({ options: { pop: { type: 'string' } } });
  if (values.pop === undefined) {
    process.stderr.write(`${program}: --pop <file> is required\n`);
    process.exit(2);
  }
  try {
    return loadPopConfig(values.pop);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${program}: ${error.message}\n`);
    process.exit(2);
  }
}
