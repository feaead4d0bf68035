// `vpop up`: bring a POP up from its file. Loads and validates the POP, starts its
// processes under the supervisor, serves /healthz, /readyz and /metrics on the ops
// port, and stops everything cleanly on SIGINT/SIGTERM.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import type { Registry } from 'prom-client';
import { hostPort } from '../../platform/config/ip-literal.js';
import { opsToken } from '../../platform/config/pop-secrets.js';
import { ConfigError, loadPopConfig } from '../../platform/config/load-pop-config.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { componentLogger, configureLogging, type LogFormat, type Logger } from '../../platform/logging/logger.js';
import { createProcessRegistry } from '../../platform/metrics/process-registry.js';
import { startOpsHttpServer } from '../../platform/ops-http/ops-http-server.js';
import { shutdownOnSignals } from '../../platform/supervisor/shutdown-on-signals.js';
import { Supervisor, type ChildSpec } from '../../platform/supervisor/supervisor.js';
import { PopAlreadyRunningError, PopProcessRecord, stopLeftovers } from '../../platform/supervisor/pop-process-record.js';
import { scrapedMetricsSource } from '../../platform/metrics/scraped-metrics-source.js';
import { registerUdpReceiveErrorMetric } from '../../platform/metrics/udp-receive-errors.js';
import { stopDraining } from '../../platform/drain/drain-flag.js';
import { sbcProcess, standInCoreProcess } from '../../edge/sbc/sbc-process.js';
import { routingCoreProcess } from '../../routing-core/core-process.js';
import { rtpengineMetricsUrl } from '../../media/rtpengine/rtpengine-args.js';
import { rtpengineMetricsSource } from '../../media/rtpengine/rtpengine-metrics.js';
import { rtpengineProcess } from '../../media/rtpengine/rtpengine-process.js';
import { CertificateError } from '../../certs/certificate-error.js';
import { ensurePopCertificate } from '../../certs/ensure-pop-certificate.js';

/** Exit status for a POP file that cannot be used (as opposed to a runtime failure). */
const EXIT_CONFIG = 2;

/**
 * The processes of a POP. A new process joins the POP here, one line. The SBC reconnects
 * to the engine until it is up, so start order is not a dependency.
 */
export function popProcesses(pop: PopConfig, popFile: string, coreFile?: string): ChildSpec[] {
  return [
    rtpengineProcess(pop),
    // Ready when its listeners are bound and its control port is up (reported over IPC).
    { name: 'engine', ...vpopCommand('engine', '--pop', popFile), required: true, ipc: true },
    // Until the routing core exists, calls are handed to this stand-in.
    standInCoreProcess(popFile),
    sbcProcess(popFile),
    // The routing core's API (its calls come in issue 11; until then the stand-in answers them).
    ...(coreFile ? [routingCoreProcess(coreFile)] : []),
  ];
}

/** The children's own /metrics, served through the ops port with the supervisor's. */
export function popMetricsSources(pop: PopConfig, registry: Registry): Array<() => Promise<string>> {
  const url = (address: string, port: number): string => `http://${hostPort(address, port)}/metrics`;
  return [
    rtpengineMetricsSource({ url: rtpengineMetricsUrl(pop), registry, labels: { pop: pop.pop.id, component: 'rtpengine' } }),
    ...(pop.engine.metricsPort !== undefined ? [scrapedMetricsSource(url(pop.engine.controlAddress, pop.engine.metricsPort))] : []),
    ...(pop.sbc?.metricsPort !== undefined ? [scrapedMetricsSource(url(pop.ops.address, pop.sbc.metricsPort))] : []),
  ];
}

/** Command and arguments that run a `vpop` subcommand with this same Node and build. */
export function vpopCommand(...args: string[]): Pick<ChildSpec, 'command' | 'args'> {
  return { command: process.execPath, args: [fileURLToPath(new URL('../vpop.js', import.meta.url)), ...args] };
}

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description("Start a POP's processes under a supervisor (rtpengine, the SIP engine, the edge SBC and, until the routing core exists, a stand-in core) and serve /healthz, /readyz and /metrics (theirs included) on the ops port")
    .option('--pop <file>', 'POP configuration file', 'configs/pops/local.yaml')
    .option('--core <file>', 'also run the routing core from this core file (npm run up: configs/core/local.yaml, API on 127.0.0.1:8080)')
    .addOption(new Option('--log-format <format>', 'pretty (coloured): a line a person reads; json: one JSON object per line, for jq and log shippers. Default: pretty on a terminal, json otherwise')
      .choices(['pretty', 'json']))
    .addHelpText('after', `
Runs in the foreground and logs on stdout (pino, PII masked): every process's records,
each with its component. Prints one "POP ready" line, with the SIP listeners and the
ops URL, once every process can carry a call (/readyz then answers 200).
A crashed process is restarted with backoff (0.5 s doubling to 30 s). SIGINT, SIGTERM or
SIGHUP stops every process (SIGTERM, then SIGKILL after 5 s) and exits 0. The processes
die with vpop up even when it is killed outright (SIGKILL); a start also stops anything a
previous vpop up of this POP left running, by the PIDs and start times it recorded in
<stateDir>/vpop-up.processes.json (never by name).
A POP with tls.generateIfMissing whose certificate and key are missing gets them first,
from a local CA under <stateDir>/ca (the same as \`vpop certs ensure\`).

Exit status: 2 when the POP file is invalid (each problem printed as
file:line:column: field.path: message), rtpengine is not installed, or only one of
the certificate and key exists, 1 when the POP cannot start (ops port taken, or
another vpop up runs this POP).

Example:
  vpop up --pop configs/pops/local.yaml
  curl -s http://127.0.0.1:9090/healthz`)
    .action(async (options: { pop: string; core?: string; logFormat?: LogFormat }) => {
      await runUp(options.pop, options.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json'), options.core);
    });
}

function loadOrExit(file: string): PopConfig {
  try {
    return loadPopConfig(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`vpop up: ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
}

/** rtpengine is installed software, not a file the POP ships, so it is checked here. */
function checkExecutable(file: string, field: string, popFile: string): void {
  try {
    accessSync(file, constants.X_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    process.stderr.write(`vpop up: ${popFile}: ${field}: ${file} is not an executable file (${reason}); install it with scripts/bootstrap.sh\n`);
    process.exit(EXIT_CONFIG);
  }
}

/** First run: a POP with tls.generateIfMissing gets its certificate before any process needs it. */
async function ensureCertificateOrExit(pop: PopConfig, popFile: string, logger: Logger): Promise<void> {
  try {
    const outcome = await ensurePopCertificate(pop);
    if (outcome.action === 'created') logger.info({ certFile: outcome.certFile, caCertFile: outcome.caCertFile }, 'made the POP certificate from the local CA');
  } catch (error) {
    if (!(error instanceof CertificateError)) throw error;
    process.stderr.write(`vpop up: ${popFile}: ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
}

/** The line an operator waits for: where to send calls and where to look. */
function popReadyMessage(pop: PopConfig, opsUrl: string): string {
  const listeners = pop.sip.listeners.map((listener) => `${listener.transport} ${hostPort(listener.address, listener.port)}`);
  return `POP ready: SIP ${listeners.join(', ')}; ops ${opsUrl}`;
}

export async function runUp(popFile: string, logFormat: LogFormat = 'json', coreFile?: string): Promise<void> {
  const pop = loadOrExit(popFile);
  checkExecutable(pop.rtpengine.binary, 'rtpengine.binary', popFile);
  configureLogging({ level: pop.logging.level, format: logFormat, colour: process.stdout.isTTY });
  const logger = componentLogger('vpop-up');
  mkdirSync(pop.stateDir, { recursive: true });
  // A drain before a restart ends with the restart: this POP takes calls again.
  stopDraining(pop.stateDir);
  mkdirSync(pop.rtpengine.recordingDir, { recursive: true });
  await ensureCertificateOrExit(pop, popFile, logger);
  const recordFile = join(pop.stateDir, 'vpop-up.processes.json');
  try {
    await stopLeftovers(recordFile, logger);
  } catch (error) {
    if (!(error instanceof PopAlreadyRunningError)) throw error;
    logger.fatal({ pidFile: recordFile, supervisorPid: error.pid }, `${error.message}; nothing started`);
    process.exit(1);
  }
  const record = new PopProcessRecord(recordFile);

  const registry = createProcessRegistry({ pop: pop.pop.id, component: 'supervisor' });
  registerUdpReceiveErrorMetric(registry);
  let opsUrl = '';
  let wasReady = false;
  let shuttingDown = false;
  const supervisor: Supervisor = new Supervisor({
    children: popProcesses(pop, resolve(popFile), coreFile && resolve(coreFile)),
    registry,
    onChange: () => {
      record.write(supervisor.status());
      const ready = supervisor.allReady();
      if (ready && !wasReady) logger.info({ pop: pop.pop.id, ops: opsUrl }, popReadyMessage(pop, opsUrl));
      else if (!ready && wasReady && !shuttingDown) {
        const waiting = supervisor.status().filter((child) => !child.ready).map((child) => `${child.name} ${child.state}`);
        logger.warn({ pop: pop.pop.id, waiting }, `POP not ready: ${waiting.join(', ')}`);
      }
      wasReady = ready;
    },
  });
  let ops;
  try {
    ops = await startOpsHttpServer({
      address: pop.ops.address,
      port: pop.ops.port,
      allow: pop.ops.allow,
      bearerToken: () => opsToken(pop),
      pop: pop.pop.id,
      processes: supervisor,
      registry,
      metricsSources: popMetricsSources(pop, registry),
    });
  } catch (error) {
    logger.fatal({ err: error, address: pop.ops.address, port: pop.ops.port }, 'cannot serve the ops endpoint; nothing started');
    process.exit(1);
  }
  const opsServer = ops;
  opsUrl = `http://${hostPort(pop.ops.address, opsServer.port)}`;
  shutdownOnSignals({
    stop: async () => {
      shuttingDown = true;
      await supervisor.stop();
      await opsServer.close();
    },
    killNow: () => supervisor.killAllNow(),
    logger,
  });
  supervisor.start();
  logger.info({
    pop: pop.pop.id,
    region: pop.pop.region,
    popFile,
    stateDir: pop.stateDir,
    processes: supervisor.status().map((child) => ({ name: child.name, pid: child.pid })),
    ops: opsUrl,
  }, 'POP starting; "POP ready" follows once every process can carry a call');
}
