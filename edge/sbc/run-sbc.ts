// Process entry of the edge SBC: `node dist/edge/sbc/run-sbc.js --pop <file>`. vpop up
// runs it under the supervisor (sbcProcess). drachtio-srf keeps reconnecting until the
// engine is up, so the SBC may start before the engine.
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { ConfigError, loadPopConfig } from '../../platform/config/load-pop-config.js';
import { componentLogger, configureLogging } from '../../platform/logging/logger.js';
import { startSbc } from './sbc-app.js';

const { values } = parseArgs({ options: { pop: { type: 'string' } } });
if (values.pop === undefined) {
  process.stderr.write('run-sbc: --pop <file> is required\n');
  process.exit(2);
}
let pop;
try {
  pop = loadPopConfig(values.pop);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`run-sbc: ${error.message}\n`);
  process.exit(2);
}
configureLogging({ level: pop.logging.level });
const logger = componentLogger('sbc');
try {
  const sbc = await startSbc({ pop, registry: new Registry(), logger });
  const stop = (): void => { void sbc.stop().then(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  logger.error({ err: error }, 'SBC could not start');
  process.exit(1);
}
