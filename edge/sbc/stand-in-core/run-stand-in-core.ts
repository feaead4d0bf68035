// Process entry of the stand-in routing core: `node dist/edge/sbc/stand-in-core/run-stand-in-core.js
// --pop <file>`. Listens on the POP's routingCore.sipUri (mutual TLS with the core's own
// certificate on a TLS link) and echoes every call.
import { coreEngineLink, EngineOptionsError } from '../../engine/engine-options.js';
import { componentLogger, configureLogging } from '../../../platform/logging/logger.js';
import { exitWithSupervisor, reportReady } from '../../../platform/supervisor/supervisor-channel.js';
import { popFromArguments } from '../pop-argument.js';
import { startStandInCore } from './stand-in-core.js';

const pop = popFromArguments('run-stand-in-core');
configureLogging({ level: pop.logging.level });
const logger = componentLogger('stand-in-core');
let link: ReturnType<typeof coreEngineLink>;
try {
  link = coreEngineLink(pop);
} catch (error) {
  if (!(error instanceof EngineOptionsError)) throw error;
  process.stderr.write(`run-stand-in-core: ${error.message}\n`);
  process.exit(2);
}
const { address, port, transport } = link.listener;
try {
  const core = await startStandInCore({ address, port, allow: [], link, logger });
  logger.info({ address, port, transport }, 'stand-in routing core answering calls with an echo');
  const stop = (): void => { void core.stop().then(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  exitWithSupervisor(() => core.stop(), logger);
  // startStandInCore resolves once its app is connected and routed for INVITEs.
  reportReady({ sip: `${address}:${port}` });
} catch (error) {
  logger.error({ err: error }, 'stand-in core could not start');
  process.exit(1);
}
