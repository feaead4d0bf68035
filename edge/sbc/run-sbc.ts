// Process entry of the edge SBC: `node dist/edge/sbc/run-sbc.js --pop <file>`. vpop up
// runs it under the supervisor (sbcProcess). drachtio-srf keeps reconnecting until the
// engine is up, so the SBC may start before the engine.
import { componentLogger, configureLogging } from '../../platform/logging/logger.js';
import { createProcessRegistry } from '../../platform/metrics/process-registry.js';
import { exitWithSupervisor, reportNotReady, reportReady } from '../../platform/supervisor/supervisor-channel.js';
import { pingRtpengine } from '../../media/rtpengine/rtpengine-ping.js';
import { serveMetrics, type MetricsEndpoint } from '../engine/engine-metrics.js';
import { popFromArguments } from './pop-argument.js';
import { startSbc } from './sbc-app.js';

const pop = popFromArguments('run-sbc');
configureLogging({ level: pop.logging.level });
const logger = componentLogger('sbc');
const rtpengine = { address: pop.rtpengine.ngAddress, port: pop.rtpengine.ngPort };

/** Ready means a call would succeed: connected to the engine (startSbc resolved) and rtpengine answers. */
async function reportReadyOnceRtpengineAnswers(): Promise<void> {
  while (!(await pingRtpengine(rtpengine, 500))) await new Promise((resolve) => setTimeout(resolve, 200));
  reportReady({ engine: `${pop.engine.controlAddress}:${pop.engine.controlPort}` });
}

try {
  const registry = createProcessRegistry({ pop: pop.pop.id, component: 'sbc' });
  const sbc = await startSbc({
    pop, registry, logger,
    onEngineConnection: (connected) => {
      if (connected) void reportReadyOnceRtpengineAnswers();
      else reportNotReady('lost the engine connection; reconnecting');
    },
  });
  // vpop up serves these through the ops port (sbc.metricsPort).
  const metrics: MetricsEndpoint | undefined = pop.sbc?.metricsPort === undefined
    ? undefined
    : await serveMetrics(registry, pop.ops.address, pop.sbc.metricsPort);
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= Promise.all([sbc.stop(), metrics?.close()]).then(() => undefined);
    return stopping;
  };
  const stop = (): void => { void stopAll().then(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  exitWithSupervisor(stopAll, logger);
  await reportReadyOnceRtpengineAnswers();
} catch (error) {
  logger.error({ err: error }, 'SBC could not start');
  process.exit(1);
}
