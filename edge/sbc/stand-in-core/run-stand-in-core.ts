// Process entry of the stand-in routing core: `node dist/edge/sbc/stand-in-core/run-stand-in-core.js
// --pop <file>`. Listens on the POP's routingCore.sipUri (UDP) and echoes every call.
import { componentLogger, configureLogging } from '../../../platform/logging/logger.js';
import { exitWithSupervisor, reportReady } from '../../../platform/supervisor/supervisor-channel.js';
import { coreAddress } from '../middleware/route-from-core.js';
import { popFromArguments } from '../pop-argument.js';
import { startStandInCore } from './stand-in-core.js';

const pop = popFromArguments('run-stand-in-core');
configureLogging({ level: pop.logging.level });
const logger = componentLogger('stand-in-core');
const address = coreAddress(pop.routingCore.sipUri);
const port = Number(/:(\d+)(?:;|$)/.exec(pop.routingCore.sipUri)?.[1] ?? 5060);
if (address === undefined) {
  process.stderr.write(`run-stand-in-core: routingCore.sipUri ${pop.routingCore.sipUri} has no address literal\n`);
  process.exit(2);
}
// The edge engine calls from its own listeners' addresses.
const allow = [...new Set(pop.sip.listeners.map((listener) => `${listener.address}/${listener.address.includes(':') ? 128 : 32}`))];
try {
  const core = await startStandInCore({ address, port, allow, logger });
  logger.info({ address, port }, 'stand-in routing core answering calls with an echo');
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
