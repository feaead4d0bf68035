// Process entry of the edge SBC: `node dist/edge/sbc/run-sbc.js --pop <file>`. vpop up
// runs it under the supervisor (sbcProcess). drachtio-srf keeps reconnecting until the
// engine is up, so the SBC may start before the engine.
import { componentLogger, configureLogging } from '../../platform/logging/logger.js';
import { createProcessRegistry } from '../../platform/metrics/process-registry.js';
import { serveMetrics, type MetricsEndpoint } from '../engine/engine-metrics.js';
import { popFromArguments } from './pop-argument.js';
import { startSbc } from './sbc-app.js';

const pop = popFromArguments('run-sbc');
configureLogging({ level: pop.logging.level });
const logger = componentLogger('sbc');
try {
  const registry = createProcessRegistry({ pop: pop.pop.id, component: 'sbc' });
  const sbc = await startSbc({ pop, registry, logger });
  // vpop up serves these through the ops port (sbc.metricsPort).
  const metrics: MetricsEndpoint | undefined = pop.sbc?.metricsPort === undefined
    ? undefined
    : await serveMetrics(registry, pop.ops.address, pop.sbc.metricsPort);
  const stop = (): void => { void Promise.all([sbc.stop(), metrics?.close()]).then(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  logger.error({ err: error }, 'SBC could not start');
  process.exit(1);
}
