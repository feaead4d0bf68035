// The edge as `vpop up` runs it, one process per part, each started and killed by PID
// from the test so a crash can be had on purpose: rtpengine (from the POP's flags), the
// SIP engine (`vpop engine --pop`) and the SBC (dist/edge/sbc/run-sbc.js). A SIPp on
// 127.0.0.1 stands in for the routing core; carriers are SIPp on 127.0.0.4 (plain trunk).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { rtpengineArgs } from '../../../media/rtpengine/rtpengine-args.js';
import { pingRtpengine } from '../../../media/rtpengine/rtpengine-ping.js';
import { RtpengineAnchor } from '../../../media/session/rtpengine-anchor.js';
import { popConfigSchema, type PopConfig } from '../../../platform/config/pop-schema.js';
import type { CdrRecord } from '../../../edge/sbc/call/cdr-writer.js';
import { exitOf } from '../../support/child-exit.js';
import { freePort } from '../../support/free-port.js';
import { repoRoot } from '../../support/repo-root.js';
import { requireBuiltCli } from '../../support/built-cli.js';
import { waitUntil } from '../../support/wait-until.js';

export type EdgePart = 'rtpengine' | 'engine' | 'sbc';

export interface EdgeProcessesOptions {
  maxConcurrentCalls?: number;
  maxCallSeconds?: number;
  mediaTimeoutSeconds?: number;
  sessionExpiresSeconds?: number;
  minSessionExpiresSeconds?: number;
  auditIntervalSeconds?: number;
}

export interface EdgeProcesses {
  pop: PopConfig;
  sipPort: number;
  corePort: number;
  cdrFile: string;
  /** An ng client of the test's own, for rtpengine's call count. */
  probe: RtpengineAnchor;
  start(part: EdgePart): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(part: EdgePart): Promise<void>;
  /** The SBC's /metrics text ('' while it does not answer). */
  metrics(): Promise<string>;
  /** The value of one sample, e.g. 'vpop_sbc_calls_active{trunk="loopback-plain"}'; undefined when absent. */
  sample(series: string): Promise<number | undefined>;
  cdrs(): CdrRecord[];
  stop(): Promise<void>;
}

const builtSbc = join(repoRoot, 'dist', 'edge', 'sbc', 'run-sbc.js');
const builtCli = join(repoRoot, 'dist', 'cli', 'vpop.js');

export async function startEdgeProcesses(options: EdgeProcessesOptions = {}): Promise<EdgeProcesses> {
  requireBuiltCli(['edge/sbc/run-sbc.js']);
  const dir = mkdtempSync(join(tmpdir(), 'vpop-edge-crash-'));
  const sipPort = await freePort();
  const corePort = await freePort();
  const sbcMetricsPort = await freePort();
  // Below Linux's ephemeral range (32768+), where freePort()'s ports come from: an overlap made the config invalid.
  const portMin = 20_000 + Math.floor(Math.random() * 127) * 100;
  const popFile = join(dir, 'pop.yaml');
  const document = {
    pop: { id: 'crash-test', region: 'loopback' },
    sip: { listeners: [{ name: 'udp', transport: 'udp', address: '127.0.0.1', port: sipPort }] },
    engine: { controlAddress: '127.0.0.1', controlPort: await freePort(), secret: 'crash-test-secret' },
    sbc: {
      metricsPort: sbcMetricsPort, auditIntervalSeconds: options.auditIntervalSeconds ?? 1,
      ...(options.sessionExpiresSeconds !== undefined ? { sessionExpiresSeconds: options.sessionExpiresSeconds } : {}),
      ...(options.minSessionExpiresSeconds !== undefined ? { minSessionExpiresSeconds: options.minSessionExpiresSeconds } : {}),
    },
    trunks: [{
      name: 'loopback-plain', allow: ['127.0.0.4/32'], transports: ['udp'], srtp: 'off', codecs: ['PCMU', 'PCMA', 'telephone-event'],
      maxConcurrentCalls: options.maxConcurrentCalls ?? 1, callsPerSecond: 20,
      ...(options.maxCallSeconds !== undefined ? { maxCallSeconds: options.maxCallSeconds } : {}),
    }],
    rtpengine: {
      ngAddress: '127.0.0.1', ngPort: await freePort(), httpPort: await freePort(),
      interfaces: [{ name: 'loopback', address: '127.0.0.1' }], portMin, portMax: portMin + 99, threads: 1,
      ...(options.mediaTimeoutSeconds !== undefined ? { mediaTimeoutSeconds: options.mediaTimeoutSeconds } : {}),
    },
    routingCore: { sipUri: `sip:127.0.0.1:${corePort}`, listener: { name: 'core', transport: 'udp', address: '127.0.0.1', port: await freePort() } },
    ops: { address: '127.0.0.1', port: await freePort() },
    logging: { level: process.env.VPOP_TEST_LOG ?? 'warn' },
    stateDir: join(dir, 'state'),
  };
  writeFileSync(popFile, stringify(document));
  const pop = popConfigSchema.parse(document);
  mkdirSync(pop.rtpengine.recordingDir, { recursive: true });
  const cdrFile = join(pop.stateDir, 'cdr', 'edge-cdr.jsonl');
  const children = new Map<EdgePart, ChildProcess>();
  const probe = new RtpengineAnchor({ ngAddress: '127.0.0.1', ngPort: pop.rtpengine.ngPort });

  const commandOf = (part: EdgePart): [string, string[]] => {
    switch (part) {
      case 'rtpengine': return [pop.rtpengine.binary, rtpengineArgs(pop)];
      case 'engine': return [process.execPath, [builtCli, 'engine', '--pop', popFile]];
      case 'sbc': return [process.execPath, [builtSbc, '--pop', popFile]];
    }
  };
  const metrics = async (): Promise<string> => {
    try {
      const response = await fetch(`http://127.0.0.1:${sbcMetricsPort}/metrics`);
      return response.ok ? await response.text() : '';
    } catch {
      return '';
    }
  };
  const sample = async (series: string): Promise<number | undefined> => {
    // The SBC's registry adds pop and component labels to every series: match the asked ones as a subset.
    const [name, labelText = ''] = series.replace(/\}$/, '').split('{');
    const wanted = labelText === '' ? [] : labelText.split(',');
    for (const line of (await metrics()).split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const labels = (match[2] ?? '').split(',');
      if (wanted.every((label) => labels.includes(label))) return Number(match[3]);
    }
    return undefined;
  };
  const start = async (part: EdgePart): Promise<void> => {
    const [command, args] = commandOf(part);
    const child = spawn(command, args, { stdio: ['ignore', process.env.VPOP_TEST_LOG ? 'inherit' : 'ignore', process.env.VPOP_TEST_LOG ? 'inherit' : 'pipe'] });
    children.set(part, child);
    // The tail of the child's stderr, so a start failure (a port taken, a config error) says why.
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => { stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000); });
    const alive = (): boolean => {
      if (child.exitCode === null && child.signalCode === null) return true;
      if (stderrTail !== '') throw new Error(`${part} exited at start (${child.exitCode ?? child.signalCode}): ${stderrTail}`);
      return false;
    };
    switch (part) {
      case 'rtpengine':
        await waitUntil(async () => {
          if (!alive()) throw new Error('rtpengine exited at start');
          return pingRtpengine({ address: '127.0.0.1', port: pop.rtpengine.ngPort }, 200);
        }, 'rtpengine to answer ng ping', { timeoutMs: 20_000, intervalMs: 100 });
        return;
      case 'engine':
        // Ready when the SBC (if running) is connected again; otherwise when the control port listens.
        await waitUntil(async () => {
          if (!alive()) throw new Error('engine exited at start');
          return children.has('sbc') ? (await sample('vpop_sbc_engine_connected')) === 1 : portOpen(pop.engine.controlPort);
        }, 'the engine to take control connections', { timeoutMs: 30_000, intervalMs: 100 });
        return;
      case 'sbc':
        await waitUntil(async () => {
          if (!alive()) throw new Error('SBC exited at start');
          return (await sample('vpop_sbc_engine_connected')) === 1;
        }, 'the SBC to connect to the engine', { timeoutMs: 30_000, intervalMs: 100 });
    }
  };
  const kill = async (part: EdgePart): Promise<void> => {
    const child = children.get(part);
    if (child === undefined) return;
    children.delete(part);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    await exitOf(child);
    if (part === 'engine' && children.has('sbc')) {
      await waitUntil(async () => (await sample('vpop_sbc_engine_connected')) === 0, 'the SBC to see the engine gone', { timeoutMs: 20_000 });
    }
  };
  const stopAll = async (): Promise<void> => {
    for (const part of ['sbc', 'engine', 'rtpengine'] as const) {
      const child = children.get(part);
      if (child?.pid === undefined) continue;
      children.delete(part);
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => { if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL'); }, 5000);
        await exitOf(child);
        clearTimeout(timer);
      }
    }
  };
  try {
    await start('rtpengine');
    await start('engine');
    await start('sbc');
  } catch (error) {
    await stopAll();
    probe.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    pop, sipPort, corePort, cdrFile, probe, start, kill, metrics, sample,
    cdrs: () => (existsSync(cdrFile) ? readFileSync(cdrFile, 'utf8').trim().split('\n').filter((line) => line !== '')
      .map((line) => JSON.parse(line) as CdrRecord) : []),
    stop: async () => {
      await stopAll();
      probe.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function portOpen(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
