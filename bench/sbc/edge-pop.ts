// The POP under test in the edge benchmarks: a temporary POP file on free ports, run by the
// built `vpop up` exactly as an operator runs it, so every process (supervisor, engine, SBC,
// stand-in core, rtpengine) is the production one.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.js';
import { plainTrunkPopYaml, type PlainTrunkPopOptions, type PlainTrunkPopPorts } from '../../test/support/plain-trunk-pop.js';
import { spawnBenchChild, type BenchChild } from '../engine/child-process.js';
import { builtFile } from '../engine/repo-paths.js';
import { sumMetricSamples } from '../engine/prometheus-text.js';
import type { SampledProcess } from '../engine/process-sampler.js';
import { isProcessAlive } from '../../platform/supervisor/process-alive.js';
import { readProcessRecord } from '../../platform/supervisor/pop-process-record.js';

/** The plain trunk's allowed source (configs/pops/local.yaml's `loopback-plain`): SIPp runs here. */
export const PLAIN_TRUNK_SOURCE = '127.0.0.4';
export const EDGE_ADDRESS = '127.0.0.1';

export type EdgePopPorts = PlainTrunkPopPorts;

/** The benchmark's POP file; the trunk's call limits are set far above what a run offers, so policy never rejects. */
export function edgePopYaml(options: Omit<PlainTrunkPopOptions, 'popId'>): string {
  return plainTrunkPopYaml({ popId: 'bench-edge', ...options });
}

/**
 * A block of UDP ports for rtpengine (4 a call) below Linux's ephemeral range (32768+), so
 * freePort() allocations by other tests on this machine do not land in it. Random, so
 * several runs can coexist; checked against the sockets bound right now.
 */
export async function freeMediaRange(size: number): Promise<{ min: number; max: number }> {
  const bound = new Set<number>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const port = local ? Number.parseInt(local.split(':')[1] ?? '', 16) : Number.NaN;
      if (Number.isFinite(port)) bound.add(port);
    }
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const min = 16384 + 2 * Math.floor(Math.random() * ((32000 - size - 16384) / 2));
    let clear = true;
    for (let port = min; port <= min + size && clear; port++) clear = !bound.has(port);
    if (clear) return { min, max: min + size - 1 };
  }
  throw new Error(`no free block of ${size} UDP ports between 16384 and 32000`);
}

interface Health {
  status: string;
  children: Array<{ name: string; state: string }>;
}

export interface RunningEdgePop {
  ports: EdgePopPorts;
  popFile: string;
  /** host:port of the SIP listener SIPp calls. */
  sipTarget: string;
  up: BenchChild;
  /** The supervisor and each child it runs, by name (vpop-up, rtpengine, engine, stand-in-core, sbc). */
  processes(): Promise<SampledProcess[]>;
  /** The merged /metrics of the ops port (supervisor, engine, SBC, rtpengine). */
  metrics(): Promise<string>;
  metric(name: string): Promise<number | undefined>;
  /** Sends SIGTERM to vpop up (which stops its children) and reports any child still alive after. */
  stop(): Promise<{ leftAlive: string[] }>;
}

export interface EdgePopOptions {
  logDir: string;
  mediaPorts: number;
  maxConcurrentCalls?: number;
  callsPerSecond?: number;
  rtpengineThreads?: number;
  logLevel?: string;
}

async function fetchHealth(opsUrl: string): Promise<Health | undefined> {
  const response = await fetch(`${opsUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
  return (await response.json()) as Health;
}

export async function startEdgePop(options: EdgePopOptions): Promise<RunningEdgePop> {
  const media = await freeMediaRange(options.mediaPorts);
  const ports: EdgePopPorts = {
    sip: await freePort(), control: await freePort(), ng: await freePort(), http: await freePort(), ops: await freePort(),
    core: await freePort(), coreListener: await freePort(), engineMetrics: await freePort(), sbcMetrics: await freePort(), mediaMin: media.min, mediaMax: media.max,
  };
  const stateDir = join(options.logDir, 'state');
  await mkdir(stateDir, { recursive: true });
  const popFile = join(options.logDir, 'pop.yaml');
  await writeFile(popFile, edgePopYaml({
    ports, stateDir,
    maxConcurrentCalls: options.maxConcurrentCalls ?? 20_000,
    callsPerSecond: options.callsPerSecond ?? 10_000,
    rtpengineThreads: options.rtpengineThreads ?? 2,
    logLevel: options.logLevel ?? 'info',
  }));
  const up = await spawnBenchChild('vpop-up', process.execPath, [builtFile('cli/vpop.js'), 'up', '--pop', popFile], join(options.logDir, 'vpop-up.log'));
  const opsUrl = `http://127.0.0.1:${ports.ops}`;
  const deadline = Date.now() + 40_000;
  let health: Health | undefined;
  while (Date.now() < deadline && up.alive()) {
    health = await fetchHealth(opsUrl).catch(() => undefined);
    if (health && health.children.length > 0 && health.children.every((child) => child.state === 'ready')) break;
    health = undefined;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!health) {
    await up.stop();
    throw new Error(`vpop up did not report every process ready within 40 s; see ${up.logFile}`);
  }
  const childPids = new Map<string, number>();
  const processes = async (): Promise<SampledProcess[]> => {
    // A child restarted by the supervisor gets a new PID: read them afresh each time.
    // PIDs are not in /healthz without the ops token; vpop up records them in the state directory.
    for (const child of readProcessRecord(join(stateDir, 'vpop-up.processes.json'))?.children ?? []) childPids.set(child.name, child.pid);
    return [{ name: 'vpop-up', pid: up.pid }, ...[...childPids].map(([name, pid]) => ({ name, pid }))];
  };
  await processes();
  const metrics = async (): Promise<string> => {
    const response = await fetch(`${opsUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`${opsUrl}/metrics: HTTP ${response.status}`);
    return response.text();
  };
  return {
    ports, popFile, sipTarget: `${EDGE_ADDRESS}:${ports.sip}`, up, processes, metrics,
    metric: async (name) => sumMetricSamples(await metrics(), name),
    async stop() {
      await up.stop(20_000);
      return { leftAlive: [...childPids].filter(([, pid]) => isProcessAlive(pid)).map(([name, pid]) => `${name} (${pid})`) };
    },
  };
}

/** rtpengine's own sessions (type="own"), from the merged metrics; undefined when absent. */
export function rtpengineOwnSessions(exposition: string): number | undefined {
  const match = /^rtpengine_sessions\{[^}]*type="own"[^}]*\} (\d+)/m.exec(exposition);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
