// `vpop engine`: the SIP engine on its own, serving drachtio apps. It takes a
// POP file, or drachtio-server's flags so scripts written for drachtio-server
// run unchanged.
import type { Command } from 'commander';
import { SipEngine } from '../../edge/engine/engine.js';
import { serveMetrics, type MetricsEndpoint } from '../../edge/engine/engine-metrics.js';
import {
  DEFAULT_ALLOW, EngineOptionsError, optionsFromFlags, optionsFromPop, type DrachtioFlags, type EngineRunOptions,
} from '../../edge/engine/engine-options.js';
import { ConfigError, loadPopConfig } from '../../platform/config/load-pop-config.js';
import { SecretFileError } from '../../platform/config/pop-secrets.js';
import { isLoopbackAddress } from '../../platform/config/ip-literal.js';
import { createProcessRegistry } from '../../platform/metrics/process-registry.js';
import { componentLogger, configureLogging } from '../../platform/logging/logger.js';
import { watchCertificateFiles, type CertificateFileWatcher } from '../../certs/certificate-file-watcher.js';
import { registerCertificateExpiryGauge } from '../../certs/certificate-expiry-metric.js';
import { exitWithSupervisor, reportReady } from '../../platform/supervisor/supervisor-channel.js';
import type { Logger } from 'pino';

/** Exit status for unusable options or POP file (as opposed to a runtime failure). */
const EXIT_CONFIG = 2;

interface EngineCommandOptions extends DrachtioFlags {
  pop?: string;
  loglevel?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerEngineCommand(program: Command): void {
  program
    .command('engine')
    .description('Run the SIP engine standalone: SIP over UDP/TCP/TLS, served to drachtio-srf apps over the drachtio control protocol')
    .option('--pop <file>', 'take listeners, TLS, allow-lists and the control port from a POP file (the flags below are then ignored)')
    .option('--contact <uri>', "SIP listener, drachtio-server style; repeatable. e.g. 'sip:127.0.0.1:5060;transport=udp,tcp', 'sips:0.0.0.0:5061' (* = every IPv4 address)", collect, [])
    .option('--port <port>', 'control-protocol port apps connect to (drachtio-server admin port)', '9022')
    .option('--address <address>', 'control-protocol bind address', '127.0.0.1')
    .option('--secret <secret>', 'shared secret apps authenticate with (required without --pop)')
    .option('--cert-file <file>', 'PEM certificate for TLS listeners')
    .option('--key-file <file>', 'PEM private key for TLS listeners')
    .option('--chain-file <file>', 'PEM intermediate chain sent after the certificate')
    .option('--min-tls-version <version>', 'lowest TLS version accepted: 1.2 (default) or 1.3')
    .option('--external-ip <address>', 'address advertised in Via and Contact instead of the bound one (NAT, topology hiding)')
    .option('--prometheus-scrape-port <[address:]port>', 'serve Prometheus /metrics here (address defaults to --address)')
    .option('--allow <cidr>', `source addresses allowed to send SIP; repeatable. Default: ${DEFAULT_ALLOW.join(', ')} only`, collect, [])
    .option('--source-rate <messages-per-second>', 'SIP messages per second one source address may send; above it the source gets 10 s of silence (0: no limit; default 5000)')
    .option('--loglevel <level>', 'log level: debug, info, notice, warning, error (drachtio names accepted)', 'info')
    .addHelpText('after', `
Every SIP listener drops datagrams and refuses connections from sources outside
the allow-list before parsing anything. Without --allow only loopback is served:
the engine never opens to the world by default. Requests from known SIP scanner
User-Agents (friendly-scanner, sipvicious, ...) are dropped unanswered, before any
100 Trying (vpop_engine_discarded_requests_total).

Runs in the foreground and logs JSON lines on stdout; SIGINT/SIGTERM stop it.
Exit status 2: invalid flags or POP file; 1: cannot start (port taken).

Examples:
  vpop engine --contact 'sip:127.0.0.1:5060;transport=udp,tcp' --port 9022 --secret cymru
  vpop engine --contact 'sip:*:5060;transport=udp' --external-ip 192.0.2.10 \\
      --allow 198.51.100.0/24 --secret "$SECRET" --prometheus-scrape-port 9091
  vpop engine --pop configs/pops/local.yaml

drachtio-srf apps then connect with srf.connect({host: '127.0.0.1', port: 9022, secret: 'cymru'}).`)
    .action(async (options: EngineCommandOptions) => {
      await runEngine(options);
    });
}

function pinoLevel(level: string | undefined): 'debug' | 'info' | 'warn' | 'error' {
  switch ((level ?? 'info').toLowerCase()) {
    case 'debug': return 'debug';
    case 'warning': case 'warn': return 'warn';
    case 'error': return 'error';
    default: return 'info';
  }
}

function resolveOptions(options: EngineCommandOptions): { run: EngineRunOptions; pop: string } {
  try {
    if (options.pop !== undefined) {
      const pop = loadPopConfig(options.pop);
      return { run: optionsFromPop(pop), pop: pop.pop.id };
    }
    return { run: optionsFromFlags(options), pop: 'standalone' };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof EngineOptionsError || error instanceof SecretFileError) {
      process.stderr.write(`vpop engine: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}

async function runEngine(options: EngineCommandOptions): Promise<void> {
  const { run, pop } = resolveOptions(options);
  configureLogging({ level: pinoLevel(options.loglevel) });
  const logger = componentLogger('engine');
  if (!isLoopbackAddress(run.control.address)) {
    // Accepted for drachtio-server compatibility (a POP file refuses it), but loudly:
    // the control protocol is clear text, guarded only by the shared secret.
    const warning = `the control protocol listens on ${run.control.address}, not loopback, WITHOUT TLS: anyone who reaches this port can try the secret and, with it, drive every call; bind --address 127.0.0.1 or firewall the port`;
    process.stderr.write(`vpop engine: WARNING: ${warning}\n`);
    logger.warn({ control: run.control.address }, warning);
  }
  const registry = createProcessRegistry({ pop, component: 'engine' });
  const engine = new SipEngine({
    listeners: run.listeners, control: run.control, logger, registry, discardRequest: run.discardRequest,
    ...(run.limits ? { limits: run.limits } : {}),
    ...(run.messageLimits ? { messageLimits: run.messageLimits } : {}),
    ...(run.overload ? { overload: run.overload } : {}),
    ...(run.tlsClient ? { tlsClient: run.tlsClient } : {}),
    ...(run.userAgent !== undefined ? { userAgent: run.userAgent } : {}),
  });
  let metrics: MetricsEndpoint | undefined;
  try {
    await engine.start();
    if (run.metrics) metrics = await serveMetrics(registry, run.metrics.address, run.metrics.port);
  } catch (error) {
    logger.error({ err: error }, 'SIP engine could not start');
    await engine.stop().catch(() => undefined);
    process.exit(1);
  }
  const certificates = watchTlsCertificates(run, engine, logger);
  if (certificates.certFile !== undefined) {
    registerCertificateExpiryGauge({ registry, certificates: [{ role: 'pop', file: certificates.certFile }] });
  }
  logger.info({ hostports: engine.hostports(), control: `${run.control.address}:${engine.control.port}`, metrics: metrics?.port }, 'vpop engine running');
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('vpop engine stopping');
      certificates.close();
      await metrics?.close();
      await engine.stop();
    })();
    return stopping;
  };
  // Under vpop up: listeners bound and the control port up is ready (told over IPC, so
  // an orphan on the same port cannot answer for this process).
  exitWithSupervisor(stop, logger);
  reportReady({ hostports: engine.hostports(), control: `${run.control.address}:${engine.control.port}` });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await stop();
}

/**
 * New TLS connections get a replaced certificate without a restart: on a change of the
 * files (vpop certs rotate, Ansible, ACME) and on SIGHUP. Open connections keep theirs.
 */
function watchTlsCertificates(run: EngineRunOptions, engine: SipEngine, logger: Logger): { certFile: string | undefined; close(): void } {
  const tls = run.listeners.find((listener) => listener.tls !== undefined)?.tls;
  if (!tls) return { certFile: undefined, close: () => undefined };
  const reload = async (why: string): Promise<void> => {
    await engine.transport.reloadCertificates();
    logger.info({ certFile: tls.certFile, why }, 'TLS certificates reloaded');
  };
  let watcher: CertificateFileWatcher | undefined;
  try {
    watcher = watchCertificateFiles({ certFile: tls.certFile, keyFile: tls.keyFile, logger, onChange: () => reload('files replaced') });
  } catch (error) {
    logger.warn({ err: error, certFile: tls.certFile }, 'certificate files are not watched; SIGHUP still reloads them');
  }
  const onHangup = (): void => {
    reload('SIGHUP').catch((error: unknown) => logger.error({ err: error, certFile: tls.certFile }, 'reloading TLS certificates failed'));
  };
  process.on('SIGHUP', onHangup);
  return {
    certFile: tls.certFile,
    close: () => {
      process.off('SIGHUP', onHangup);
      watcher?.close();
    },
  };
}
