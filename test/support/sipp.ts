import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitOf } from './child-exit.js';
import { freePort } from './free-port.js';
import { waitForListeningSocket } from './listening-sockets.js';

/**
 * Runs SIPp (Debian sip-tester 3.6.1, no TLS) headless as a test peer.
 *
 * SIPp draws a curses screen on a terminal; with stdin closed (`-nostdin`) and
 * stdout redirected to a file it runs fine without one and prints its final
 * screen there. Every run gets its own log directory with the statistics CSV,
 * message, error, call-debug and screen logs, so a failing test can show why.
 */

export const SIPP_BINARY = '/usr/bin/sipp';

/** SIPp transport modes: UDP/TCP, one socket in total (1) or one per call (n). */
export type SippTransport = 'u1' | 'un' | 't1' | 'tn';

export interface SippOptions {
  /** Path to a scenario XML file, or SIPp's built-in 'uac' / 'uas'. */
  scenario: string;
  /** Remote host:port to send the first request to (UAC side). */
  target?: string;
  localAddress: string;
  localPort: number;
  transport: SippTransport;
  /** -m: stop after this many calls. */
  calls?: number;
  /** -r: calls per second. */
  rate?: number;
  /** -l: maximum simultaneous calls. */
  rateLimit?: number;
  /** -d: call duration in ms for scenarios that use a pause without milliseconds. */
  durationMs?: number;
  /** -timeout: SIPp quits (with -timeout_error, as a failure) after this long. */
  timeoutSeconds: number;
  /** -s: the user part of the Request-URI, [service] in scenarios. */
  service?: string;
  /** -key name value: generic parameters, [name] in scenarios. */
  vars?: Record<string, string>;
  extraArgs?: string[];
  /** Write every SIP message to the message log (off for long benchmark runs). */
  traceMessages?: boolean;
  /** Directory for logs; a fresh temporary directory when omitted. */
  logDir?: string;
}

export interface SippStatistics {
  totalCallsCreated: number;
  successfulCalls: number;
  failedCalls: number;
  retransmissions: number;
  outOfCallMessages: number;
  deadCallMessages: number;
  /** Non-zero Failed* cumulative counters by cause, e.g. { FailedUnexpectedMessage: 1 }. */
  failuresByCause: Record<string, number>;
}

export interface SippLogs {
  dir: string;
  statistics: string;
  messages: string;
  errors: string;
  callDebug: string;
  screen: string;
  stdout: string;
}

export interface SippResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** From the last line of the -trace_stat CSV; undefined when SIPp wrote none. */
  statistics: SippStatistics | undefined;
  logs: SippLogs;
}

export interface SippProcess {
  pid: number;
  logs: SippLogs;
  /** Settles when SIPp exits by itself (for example after -m calls). */
  result: Promise<SippResult>;
  /** Stops SIPp by PID (SIGTERM, SIGKILL after a grace period) and waits for its exit. */
  stop(graceMs?: number): Promise<SippResult>;
}

const BUILT_IN_SCENARIOS = new Set(['uac', 'uas']);

/** Builds SIPp's argument list; pure so the mapping from options to flags is testable. */
export function sippArguments(options: SippOptions, logs: SippLogs, controlPort: number): string[] {
  const args: string[] = [];
  if (BUILT_IN_SCENARIOS.has(options.scenario)) args.push('-sn', options.scenario);
  else args.push('-sf', options.scenario);
  if (options.target) args.push(options.target);
  args.push('-i', options.localAddress, '-p', String(options.localPort), '-t', options.transport);
  args.push('-mi', options.localAddress, '-ci', options.localAddress, '-cp', String(controlPort));
  if (options.calls !== undefined) args.push('-m', String(options.calls));
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.rateLimit !== undefined) args.push('-l', String(options.rateLimit));
  if (options.durationMs !== undefined) args.push('-d', String(options.durationMs));
  if (options.service !== undefined) args.push('-s', options.service);
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push('-key', name, value);
  args.push('-timeout', `${options.timeoutSeconds}s`, '-timeout_error', '-nostdin');
  args.push('-trace_stat', '-stf', logs.statistics, '-fd', '1');
  args.push('-trace_err', '-error_file', logs.errors);
  args.push('-trace_calldebug', '-calldebug_file', logs.callDebug);
  args.push('-trace_screen', '-screen_file', logs.screen);
  if (options.traceMessages ?? true) args.push('-trace_msg', '-message_file', logs.messages);
  args.push(...(options.extraArgs ?? []));
  return args;
}

/** Parses the last data row of a SIPp -trace_stat CSV (semicolon-separated, cumulative "(C)" columns). */
export function parseSippStatisticsCsv(csv: string): SippStatistics | undefined {
  const lines = csv.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const header = lines[0];
  const last = lines.length > 1 ? lines[lines.length - 1] : undefined;
  if (!header || !last) return undefined;
  const names = header.split(';');
  const values = last.split(';');
  // Counters come in periodic "(P)" and cumulative "(C)" pairs; a few are single columns.
  const cumulative = (name: string): number => {
    const cumulativeIndex = names.indexOf(`${name}(C)`);
    const index = cumulativeIndex >= 0 ? cumulativeIndex : names.indexOf(name);
    const raw = index >= 0 ? values[index] : undefined;
    const parsed = raw === undefined ? Number.NaN : Number(raw);
    return Number.isFinite(parsed) ? parsed : 0;
  };
  const failuresByCause: Record<string, number> = {};
  for (const name of names) {
    const match = /^(Failed\w+)\(C\)$/.exec(name);
    if (!match?.[1] || match[1] === 'FailedCall') continue;
    const count = cumulative(match[1]);
    if (count > 0) failuresByCause[match[1]] = count;
  }
  return {
    totalCallsCreated: cumulative('TotalCallCreated'),
    successfulCalls: cumulative('SuccessfulCall'),
    failedCalls: cumulative('FailedCall'),
    retransmissions: cumulative('Retransmissions'),
    outOfCallMessages: cumulative('OutOfCallMsgs'),
    deadCallMessages: cumulative('DeadCallMsgs'),
    failuresByCause,
  };
}

async function createLogs(options: SippOptions): Promise<SippLogs> {
  const dir = options.logDir ?? (await mkdtemp(join(tmpdir(), 'sipp-')));
  return {
    dir,
    statistics: join(dir, 'stat.csv'),
    messages: join(dir, 'messages.log'),
    errors: join(dir, 'errors.log'),
    callDebug: join(dir, 'calldebug.log'),
    screen: join(dir, 'screen.log'),
    stdout: join(dir, 'stdout.log'),
  };
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

async function launch(options: SippOptions): Promise<{ child: ChildProcess; logs: SippLogs; result: Promise<SippResult> }> {
  const logs = await createLogs(options);
  const controlPort = await freePort(options.localAddress);
  const output = createWriteStream(logs.stdout);
  const child = spawn(SIPP_BINARY, sippArguments(options, logs, controlPort), {
    cwd: logs.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(output, { end: false });
  child.stderr?.pipe(output, { end: false });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  await spawned;
  const result = exitOf(child).then(async ({ code: exitCode, signal }) => {
    await new Promise<void>((resolve) => output.end(resolve));
    return { exitCode, signal, statistics: parseSippStatisticsCsv(await readIfPresent(logs.statistics)), logs };
  });
  return { child, logs, result };
}

/**
 * The control port comes from freePort(), and another process running at the same time
 * can take it before SIPp binds it: SIPp then exits at once, having done nothing. Such a
 * run is started again with a new control port.
 */
const LAUNCH_ATTEMPTS = 3;

async function lostControlPortRace(logs: SippLogs): Promise<boolean> {
  return (await readIfPresent(logs.stdout)).includes('Unable to bind remote control socket');
}

/** Runs SIPp to completion (it always ends: -timeout is mandatory). */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  for (let attempt = 1; ; attempt++) {
    const { result } = await launch(options);
    const finished = await result;
    if (finished.exitCode === 0 || attempt >= LAUNCH_ATTEMPTS || !(await lostControlPortRace(finished.logs))) return finished;
  }
}

/**
 * Starts SIPp in the background (typically a UAS) and resolves once its SIP socket is
 * bound, so a UAC started next will not race it.
 */
export async function startSipp(options: SippOptions): Promise<SippProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSippOnce(options);
    } catch (error) {
      if (attempt >= LAUNCH_ATTEMPTS || !(error instanceof SippStartError) || !(await lostControlPortRace(error.logs))) throw error;
    }
  }
}

class SippStartError extends Error {
  constructor(message: string, readonly logs: SippLogs) {
    super(message);
  }
}

async function startSippOnce(options: SippOptions): Promise<SippProcess> {
  const { child, logs, result } = await launch(options);
  const pid = child.pid;
  if (pid === undefined) throw new Error('sipp did not start');
  const protocol = options.transport.startsWith('t') ? 'tcp' : 'udp';
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 2000): Promise<SippResult> => {
    if (alive()) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (alive()) process.kill(pid, 'SIGKILL');
      }, graceMs);
      await result;
      clearTimeout(timer);
    }
    return result;
  };
  try {
    await waitForListeningSocket(protocol, options.localAddress, options.localPort, 5000, alive);
  } catch (error) {
    await stop();
    const output = await readIfPresent(logs.stdout);
    throw new SippStartError(`${(error as Error).message}\n${output.slice(-2000)}`, logs);
  }
  return { pid, logs, result, stop };
}

/** A short explanation of a SIPp run for assertion messages: counters plus the tails of its logs. */
export async function describeSippRun(label: string, result: SippResult, maxLines = 40): Promise<string> {
  const tail = async (path: string): Promise<string> =>
    (await readIfPresent(path)).split('\n').filter((line) => line.trim().length > 0).slice(-maxLines).join('\n');
  return [
    `${label}: exit ${result.exitCode ?? result.signal}, statistics ${JSON.stringify(result.statistics)}`,
    `logs in ${result.logs.dir}`,
    `--- errors.log ---\n${await tail(result.logs.errors)}`,
    `--- stdout ---\n${await tail(result.logs.stdout)}`,
  ].join('\n');
}
