import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngineProcess, type EngineProcess } from './engine-process.js';
import { startB2buaAppProcess } from './b2bua-app-process.js';
import type { BenchChild } from './child-process.js';
import { freePort } from '../../test/support/free-port.js';
import { startSipp, type SippOptions, type SippProcess, type SippTransport } from '../../test/support/sipp.js';

/**
 * The topology every engine benchmark shares:
 *   SIPp UAC -> vpop engine (process) <-drachtio-> createB2BUA app (process) ; engine -> SIPp UAS
 * or, with direct, SIPp UAC -> SIPp UAS to measure the harness and SIPp themselves.
 */

export const LOOPBACK = '127.0.0.1';

export interface BenchTopology {
  logDir: string;
  engine: EngineProcess | undefined;
  app: BenchChild | undefined;
  uas: SippProcess;
  uasPort: number;
  /** host:port SIPp UACs send to: the engine, or the UAS when direct. */
  target: string;
  transport: SippTransport;
  /** Flags every SIPp of the run takes (the socket buffer size); UACs add them too. */
  sippArgs: string[];
  /** Has stop() stop this process too (a UAC started for a step). */
  adopt(process: { stop(): Promise<unknown> }): void;
  /** Stops every process of the run by PID, latest first. */
  stop(): Promise<void>;
}

/**
 * SIPp's socket buffers default to 64 KiB (-buff_size), which overflows in the bursts of a
 * high-rate step and turns SIPp itself into the bottleneck; 4 MiB is this machine's
 * net.core.rmem_max.
 */
export const SIPP_BUFFER_BYTES = 4 * 1024 * 1024;

export interface TopologyOptions {
  name: string;
  direct: boolean;
  transport: SippTransport;
  /** Upper bound on the whole run; the UAS quits by itself after it. */
  maxRunSeconds: number;
  /** node flags for the engine and app processes (e.g. --cpu-prof). */
  engineNodeArgs?: readonly string[];
  appNodeArgs?: readonly string[];
  /** Scenario for the UAS; SIPp's built-in 'uas' when omitted. */
  uasScenario?: string;
  /** SIPp -buff_size; SIPP_BUFFER_BYTES when omitted. */
  sippBufferBytes?: number;
}

export async function startTopology(options: TopologyOptions): Promise<BenchTopology> {
  const logDir = await mkdtemp(join(tmpdir(), `vpop-bench-${options.name}-`));
  const uasPort = await freePort(LOOPBACK);
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const sippArgs = ['-buff_size', String(options.sippBufferBytes ?? SIPP_BUFFER_BYTES)];
  const stopAll = async (): Promise<void> => {
    for (const item of started.splice(0).reverse()) await item.stop().catch(() => undefined);
  };
  try {
    const uas = await startSipp({
      scenario: options.uasScenario ?? 'uas', localAddress: LOOPBACK, localPort: uasPort, transport: options.transport,
      // A free media port: SIPp exits when its default RTP port is taken (see startBenchSipp).
      timeoutSeconds: options.maxRunSeconds, traceMessages: false, logDir: await mkdtemp(join(logDir, 'uas-')), extraArgs: [...sippArgs, '-mp', String(await freePort(LOOPBACK))],
    });
    started.push(uas);
    let engine: EngineProcess | undefined;
    let app: BenchChild | undefined;
    let target = `${LOOPBACK}:${uasPort}`;
    if (!options.direct) {
      const protocol = options.transport.startsWith('t') ? 'tcp' : 'udp';
      engine = await startEngineProcess({ logDir, transports: protocol, ...(options.engineNodeArgs ? { nodeArgs: options.engineNodeArgs } : {}) });
      started.push(engine.child);
      app = await startB2buaAppProcess({
        engine, logDir, target: `${LOOPBACK}:${uasPort};transport=${protocol}`,
        ...(options.appNodeArgs ? { nodeArgs: options.appNodeArgs } : {}),
      });
      started.push(app);
      target = `${LOOPBACK}:${engine.sipPort}`;
    }
    return {
      logDir, engine, app, uas, uasPort, target, transport: options.transport, sippArgs,
      adopt: (process) => void started.push(process), stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Stops every peer by PID if the benchmark itself is interrupted (SIGINT/SIGTERM to its PID
 * alone), so no engine, app or SIPp outlives it.
 */
export function stopOnSignals(topology: BenchTopology): void {
  const stop = (signal: NodeJS.Signals): void => {
    process.stderr.write(`${signal}: stopping engine, app and SIPp\n`);
    void topology.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * Starts a SIPp (a UAC) for this run: stopped with the topology, with the run's SIPp flags.
 * SIPp binds an RTP echo socket even when no media flows, at 6000 unless told otherwise, and
 * exits when that is taken (other suites run SIPp on this machine too). So every SIPp gets a
 * free media port, and a start that loses a port race is tried once more with fresh ports.
 */
export async function startBenchSipp(topology: BenchTopology, options: Omit<SippOptions, 'localPort'>): Promise<SippProcess> {
  const attempt = async (): Promise<SippProcess> => startSipp({
    ...options,
    localPort: await freePort(options.localAddress),
    extraArgs: [...topology.sippArgs, ...(options.extraArgs ?? []), '-mp', String(await freePort(options.localAddress))],
  });
  let sipp: SippProcess;
  try {
    sipp = await attempt();
  } catch {
    sipp = await attempt();
  }
  topology.adopt(sipp);
  return sipp;
}

/** Fails fast when the engine or app died mid-run, naming its log. */
export function assertPeersAlive(topology: BenchTopology): void {
  for (const child of [topology.engine?.child, topology.app]) {
    if (child && !child.alive()) throw new Error(`${child.name} (pid ${child.pid}) exited during the run; see ${child.logFile}`);
  }
}

/** Waits until the engine reports no active dialogs, or timeoutMs passes; returns the last count. */
export async function waitForEngineIdle(topology: BenchTopology, timeoutMs: number): Promise<number | undefined> {
  const engine = topology.engine;
  if (!engine) return 0;
  const deadline = Date.now() + timeoutMs;
  let dialogs: number | undefined;
  do {
    dialogs = await engine.metric('vpop_engine_dialogs_active');
    if (dialogs === 0) return 0;
    await new Promise((resolve) => setTimeout(resolve, 250));
  } while (Date.now() < deadline);
  return dialogs;
}

/** Runs a UAC to completion under a hard deadline; the result even if SIPp had to be stopped. */
export async function runUacBounded(uac: SippProcess, deadlineSeconds: number): Promise<Awaited<SippProcess['result']>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineSeconds * 1000);
  });
  const outcome = await Promise.race([uac.result, deadline]);
  clearTimeout(timer);
  return outcome === 'deadline' ? uac.stop() : outcome;
}
