import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.js';
import { waitForListeningSocket } from '../../test/support/listening-sockets.js';
import { spawnBenchChild, type BenchChild } from './child-process.js';
import { scrapeMetric } from './prometheus-text.js';
import { builtFile } from './repo-paths.js';

/**
 * `vpop engine` started exactly as an operator would, with drachtio-server's flags, as its
 * own process. Needs `npm run build` (it runs dist/cli/vpop.js).
 */

export const BENCH_SECRET = 'bench-secret';
const ADDRESS = '127.0.0.1';
const VPOP_CLI = builtFile('cli/vpop.js');

export interface EngineProcessOptions {
  logDir: string;
  /** Extra node flags for the engine process, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeArgs?: readonly string[];
  /** SIP transports on the one listener; UDP by default, as in the C++ reference run. */
  transports?: string;
  logLevel?: string;
  /** More `vpop engine` flags, e.g. ['--allow', '127.0.0.2/32']. */
  extraArgs?: readonly string[];
}

export interface EngineProcess {
  child: BenchChild;
  address: string;
  sipPort: number;
  controlPort: number;
  metricsPort: number;
  secret: string;
  /** Sum of one metric's samples from the engine's /metrics. */
  metric(name: string): Promise<number | undefined>;
}

export async function startEngineProcess(options: EngineProcessOptions): Promise<EngineProcess> {
  const sipPort = await freePort(ADDRESS);
  const controlPort = await freePort(ADDRESS);
  const metricsPort = await freePort(ADDRESS);
  const args = [
    ...(options.nodeArgs ?? []),
    VPOP_CLI, 'engine',
    '--contact', `sip:${ADDRESS}:${sipPort};transport=${options.transports ?? 'udp'}`,
    '--port', String(controlPort),
    '--secret', BENCH_SECRET,
    '--prometheus-scrape-port', `${ADDRESS}:${metricsPort}`,
    '--loglevel', options.logLevel ?? 'error',
    ...(options.extraArgs ?? []),
  ];
  const child = await spawnBenchChild('engine', process.execPath, args, join(options.logDir, 'engine.log'));
  try {
    await waitForListeningSocket('tcp', ADDRESS, controlPort, 15_000, child.alive);
    await waitForListeningSocket('tcp', ADDRESS, metricsPort, 15_000, child.alive);
  } catch (error) {
    await child.stop();
    throw new Error(`vpop engine did not start (log: ${child.logFile}): ${(error as Error).message}`);
  }
  const metricsUrl = `http://${ADDRESS}:${metricsPort}/metrics`;
  return {
    child, address: ADDRESS, sipPort, controlPort, metricsPort, secret: BENCH_SECRET,
    metric: (name) => scrapeMetric(metricsUrl, name),
  };
}
