// Process entry of the edge SBC: `node dist/edge/sbc/run-sbc.js --pop <file>`. vpop up
// runs it under the supervisor (sbcProcess). drachtio-srf keeps reconnecting until the
// engine is up, so the SBC may start before the engine.
import { Registry } from 'prom-client';
import { componentLogger, configureLogging } from '../../platform/logging/logger.js';
import { popFromArguments } from './pop-argument.js';
import { startSbc } from './sbc-app.js';

const pop = popFromArguments('run-sbc');
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
