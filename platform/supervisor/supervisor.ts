// Runs a POP's child processes: starts them, learns their readiness (from their own
// report over IPC, or a probe for a child that is not ours), forwards their log records,
// restarts crashed ones with backoff, and stops them all by PID (SIGTERM, then SIGKILL
// after a grace period). Children die with the supervisor however it dies: node children
// watch their IPC channel (supervisor-channel.ts), others run under
// `setpriv --pdeathsig SIGTERM`, the kernel's parent-death signal (prctl PR_SET_PDEATHSIG).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { componentLogger, writeForwardedRecord, type Logger } from '../logging/logger.js';
import { BoundedLineSplitter } from './bounded-line-splitter.js';
import { childLineLevel } from './child-log-level.js';
import { isChildReport } from './supervisor-channel.js';
import {
  consecutiveCrashesAfterExit,
  DEFAULT_RESTART_BACKOFF,
  restartDelayMs,
  type RestartBackoffPolicy,
} from './restart-backoff.js';

export enum ChildState {
  /** Spawned, readiness probe not passed yet. */
  Starting = 'starting',
  /** Running and its readiness probe passed (or it has none). */
  Ready = 'ready',
  /** Running, was ready, but has failed its probe several times in a row since. */
  Unresponsive = 'unresponsive',
  /** Running, was ready, and reported that it cannot carry calls now (e.g. the SBC lost the engine). */
  NotReady = 'not-ready',
  /** Exited unexpectedly; a restart is scheduled. */
  Backoff = 'backoff',
  /** SIGTERM sent, waiting for the exit. */
  Stopping = 'stopping',
  Stopped = 'stopped',
}

export interface ChildSpec {
  name: string;
  command: string;
  args: readonly string[];
  /** Added to the supervisor's environment. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /**
   * A node child of this codebase: it gets an IPC channel, reports its readiness over it
   * (reportReady/reportNotReady) and exits when the channel closes (exitWithSupervisor).
   * `readiness` is then not used.
   */
  ipc?: boolean;
  /** For a child without ipc: resolves true once the child serves; false or a throw means "not yet". Polled. */
  readiness?: (signal: AbortSignal) => Promise<boolean>;
  readinessIntervalMs?: number;
  /** After readiness, the probe keeps running at this interval. Default 5 s. */
  livenessIntervalMs?: number;
  /** Consecutive failed probes that make a ready child unresponsive. Default 3. */
  livenessFailures?: number;
  /** A required child that is down makes /healthz fail. Default true. */
  required?: boolean;
  restart?: Partial<RestartBackoffPolicy>;
  /** Time between SIGTERM and SIGKILL when stopping. Default 5 s. */
  stopGraceMs?: number;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: string;
}

export interface ChildStatus {
  name: string;
  state: ChildState;
  pid: number | undefined;
  required: boolean;
  ready: boolean;
  restarts: number;
  /** When the current (or last) run started, ISO 8601. */
  startedAt: string | undefined;
  lastExit: ChildExit | undefined;
}

export interface SupervisorOptions {
  children: readonly ChildSpec[];
  /** Receives vpop_child_up, vpop_child_ready and vpop_child_restarts_total. */
  registry: Registry;
  logger?: Logger;
  /** Where a child's output lines that are not log records go; defaults to componentLogger(<child name>). */
  childLogger?: (name: string) => Logger;
  /** Where a child's pino records go, one JSON object without newline; defaults to this process's log. */
  forwardRecord?: (line: string) => void;
  /** Called after any child started, exited, or changed readiness. */
  onChange?: () => void;
}

/** The kernel's parent-death signal for children that cannot watch a channel; absent outside Linux. */
const SETPRIV = '/usr/bin/setpriv';

const MAX_LOGGED_LINE = 8192;
/** Output lines kept per child so a crash report shows what the child said last. */
const LAST_LINES_KEPT = 5;

interface SupervisedChild {
  spec: ChildSpec;
  policy: RestartBackoffPolicy;
  state: ChildState;
  process: ChildProcess | undefined;
  startedAt: number;
  consecutiveCrashes: number;
  restarts: number;
  lastExit: ChildExit | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  probeAbort: AbortController | undefined;
  exited: Promise<void>;
  output: Logger;
  lastLines: string[];
  /** What the child reported with its readiness (e.g. its listeners). */
  readyDetails: Record<string, unknown> | undefined;
}

export class Supervisor {
  private readonly children: SupervisedChild[];
  private readonly logger: Logger;
  private readonly up: Gauge<'child'>;
  private readonly ready: Gauge<'child'>;
  private readonly restartsTotal: Counter<'child'>;
  private stopping: Promise<void> | undefined;
  private readonly forwardRecord: (line: string) => void;
  private readonly onChange: () => void;
  private readonly hasSetpriv = existsSync(SETPRIV);

  constructor(options: SupervisorOptions) {
    const names = new Set<string>();
    for (const spec of options.children) {
      if (names.has(spec.name)) throw new Error(`supervisor: two children are named "${spec.name}"`);
      names.add(spec.name);
    }
    this.logger = options.logger ?? componentLogger('supervisor');
    const childLogger = options.childLogger ?? ((name: string) => componentLogger(name));
    this.forwardRecord = options.forwardRecord ?? writeForwardedRecord;
    this.onChange = options.onChange ?? (() => undefined);
    this.children = options.children.map((spec) => ({
      spec,
      policy: { ...DEFAULT_RESTART_BACKOFF, ...spec.restart },
      state: ChildState.Stopped,
      process: undefined,
      startedAt: 0,
      consecutiveCrashes: 0,
      restarts: 0,
      lastExit: undefined,
      restartTimer: undefined,
      probeAbort: undefined,
      exited: Promise.resolve(),
      output: childLogger(spec.name),
      lastLines: [],
      readyDetails: undefined,
    }));
    const registers = [options.registry];
    this.up = new Gauge({ name: 'vpop_child_up', help: 'Whether the supervised child process is running (1) or not (0)', labelNames: ['child'], registers });
    this.ready = new Gauge({ name: 'vpop_child_ready', help: 'Whether the supervised child passed its readiness probe since it last started and still answers it', labelNames: ['child'], registers });
    this.restartsTotal = new Counter({ name: 'vpop_child_restarts_total', help: 'Restarts of the supervised child after it exited unexpectedly', labelNames: ['child'], registers });
    for (const child of this.children) {
      this.up.set({ child: child.spec.name }, 0);
      this.ready.set({ child: child.spec.name }, 0);
      this.restartsTotal.inc({ child: child.spec.name }, 0);
    }
  }

  /** Starts every child; returns at once (readiness is reported by status()). */
  start(): void {
    if (this.stopping) throw new Error('supervisor: start() after stop()');
    for (const child of this.children) this.launch(child);
  }

  status(): ChildStatus[] {
    return this.children.map((child) => ({
      name: child.spec.name,
      state: child.state,
      pid: child.state === ChildState.Backoff || child.state === ChildState.Stopped ? undefined : child.process?.pid,
      required: child.spec.required ?? true,
      ready: child.state === ChildState.Ready,
      restarts: child.restarts,
      startedAt: child.startedAt === 0 ? undefined : new Date(child.startedAt).toISOString(),
      lastExit: child.lastExit,
    }));
  }

  /** Every required child is running and answering (ready, starting, or reporting itself not ready); not backoff, unresponsive or stopped. */
  healthy(): boolean {
    return this.status().every((child) => !child.required
      || child.state === ChildState.Ready || child.state === ChildState.Starting || child.state === ChildState.NotReady);
  }

  /** What each ready child reported with its readiness, by child name. */
  readyDetails(name: string): Record<string, unknown> | undefined {
    const child = this.children.find((candidate) => candidate.spec.name === name);
    return child?.state === ChildState.Ready ? child.readyDetails : undefined;
  }

  /** Every child passed its readiness probe. */
  allReady(): boolean {
    return this.status().every((child) => child.ready);
  }

  /** Stops every child (SIGTERM, SIGKILL after its grace period) and resolves when all exited. */
  stop(): Promise<void> {
    this.stopping ??= Promise.all(this.children.map((child) => this.stopChild(child))).then(() => undefined);
    return this.stopping;
  }

  /** Last resort when this process is exiting without stop(): SIGKILL every live child now. */
  killAllNow(): void {
    for (const child of this.children) {
      const pid = child.process?.pid;
      if (pid !== undefined && child.process?.exitCode === null && child.process.signalCode === null) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  private launch(child: SupervisedChild): void {
    const { spec } = child;
    child.restartTimer = undefined;
    child.state = ChildState.Starting;
    child.startedAt = Date.now();
    child.lastLines = [];
    child.readyDetails = undefined;
    const dieWithUs = spec.ipc === true || !this.hasSetpriv
      ? { command: spec.command, args: [...spec.args] }
      : { command: SETPRIV, args: ['--pdeathsig', 'TERM', '--', spec.command, ...spec.args] };
    const proc = spawn(dieWithUs.command, dieWithUs.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: spec.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    child.process = proc;
    let resolveExited: () => void = () => {};
    child.exited = new Promise((resolve) => {
      resolveExited = resolve;
    });
    let finished = false;
    const onGone = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (finished) return;
      finished = true;
      this.onExit(child, code, signal, error);
      resolveExited();
    };
    proc.once('exit', (code, signal) => {
      // Wait for its output pipes to drain so the crash report has its last lines,
      // but not for long: a grandchild may hold them open.
      const drained = setTimeout(() => onGone(code, signal), 250);
      proc.once('close', () => {
        clearTimeout(drained);
        onGone(code, signal);
      });
    });
    proc.once('error', (error) => {
      // A spawn failure (ENOENT, EACCES) emits 'error' and maybe no 'exit'.
      if (proc.pid === undefined) onGone(null, null, error);
      else this.logger.error({ child: spec.name, err: error }, 'child process error');
    });
    this.captureOutput(child, proc);
    if (proc.pid === undefined) return;
    this.up.set({ child: spec.name }, 1);
    this.logger.info({ child: spec.name, childPid: proc.pid, command: spec.command, args: spec.args }, 'child started');
    this.onChange();
    if (spec.ipc === true) {
      proc.on('message', (message: unknown) => this.onReport(child, proc, message));
    } else if (spec.readiness === undefined) {
      this.markReady(child);
    } else {
      child.probeAbort = new AbortController();
      void this.probeLoop(child, proc, child.probeAbort.signal);
    }
  }

  private onReport(child: SupervisedChild, proc: ChildProcess, message: unknown): void {
    if (child.process !== proc || !isChildReport(message)) return;
    if (child.state !== ChildState.Starting && child.state !== ChildState.Ready && child.state !== ChildState.NotReady) return;
    if (message.vpop === 'ready') {
      child.readyDetails = message.details;
      if (child.state !== ChildState.Ready) this.markReady(child);
    } else if (child.state !== ChildState.Starting) {
      child.state = ChildState.NotReady;
      this.ready.set({ child: child.spec.name }, 0);
      this.logger.warn({ child: child.spec.name, childPid: proc.pid, reason: message.reason }, 'child reports it cannot carry calls');
      this.onChange();
    }
  }

  private captureOutput(child: SupervisedChild, proc: ChildProcess): void {
    for (const [stream, name] of [[proc.stdout, 'stdout'], [proc.stderr, 'stderr']] as const) {
      if (stream === null) continue;
      const splitter = new BoundedLineSplitter(MAX_LOGGED_LINE);
      const log = (lines: string[]): void => {
        for (const text of lines) {
          // A node child's pino record was masked by the child's own logger: forwarded as
          // a record. Anything else (rtpengine, a crash's stack trace) is logged, masked, here.
          const record = logRecord(text, child.spec.name);
          if (record !== undefined) this.forwardRecord(record);
          else child.output[childLineLevel(text)]({ stream: name, childPid: proc.pid }, text);
          child.lastLines.push(text.slice(0, 500));
          if (child.lastLines.length > LAST_LINES_KEPT) child.lastLines.shift();
        }
      };
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => log(splitter.push(chunk)));
      stream.on('end', () => log(splitter.end()));
    }
  }

  /**
   * Polls the probe: until it first passes (readiness), then every livenessIntervalMs.
   * A ready child that fails livenessFailures probes in a row is marked unresponsive
   * (not ready, not healthy) but left running: killing a wedged media server would drop
   * every call it still carries; the operator, or its own recovery, decides.
   */
  private async probeLoop(child: SupervisedChild, proc: ChildProcess, signal: AbortSignal): Promise<void> {
    const { spec } = child;
    const probe = spec.readiness;
    if (probe === undefined) return;
    let failures = 0;
    let lastError: unknown;
    let warned = false;
    while (!signal.aborted && child.process === proc) {
      let passed = false;
      try {
        passed = await probe(signal);
      } catch (error) {
        lastError = error;
      }
      if (signal.aborted || child.process !== proc) return;
      if (child.state === ChildState.Starting) {
        if (passed) {
          this.markReady(child);
        } else if (!warned && Date.now() - child.startedAt > 30_000) {
          warned = true;
          this.logger.warn({ child: spec.name, err: lastError }, 'child not ready after 30 s; still probing');
        }
      } else if (child.state === ChildState.Ready || child.state === ChildState.Unresponsive) {
        if (passed) {
          failures = 0;
          if (child.state === ChildState.Unresponsive) this.markReady(child);
        } else if (++failures === (spec.livenessFailures ?? 3)) {
          child.state = ChildState.Unresponsive;
          this.ready.set({ child: spec.name }, 0);
          this.logger.error({ child: spec.name, childPid: proc.pid, failures, err: lastError }, 'child stopped answering its probe; marked unresponsive');
        }
      } else {
        return;
      }
      const interval = child.state === ChildState.Starting ? spec.readinessIntervalMs ?? 250 : spec.livenessIntervalMs ?? 5000;
      await sleep(interval, signal);
    }
  }

  private markReady(child: SupervisedChild): void {
    child.state = ChildState.Ready;
    this.ready.set({ child: child.spec.name }, 1);
    this.logger.info({ child: child.spec.name, childPid: child.process?.pid, afterMs: Date.now() - child.startedAt }, 'child ready');
    this.onChange();
  }

  private onExit(child: SupervisedChild, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    const { name } = child.spec;
    child.probeAbort?.abort();
    child.probeAbort = undefined;
    child.lastExit = { code, signal, at: new Date().toISOString() };
    this.up.set({ child: name }, 0);
    this.ready.set({ child: name }, 0);
    if (this.stopping !== undefined || child.state === ChildState.Stopping) {
      child.state = ChildState.Stopped;
      this.logger.info({ child: name, code, signal }, 'child stopped');
      this.onChange();
      return;
    }
    const upForMs = Date.now() - child.startedAt;
    child.consecutiveCrashes = consecutiveCrashesAfterExit(child.consecutiveCrashes, upForMs, child.policy);
    const delayMs = restartDelayMs(child.consecutiveCrashes, child.policy);
    child.state = ChildState.Backoff;
    this.logger.warn({
      child: name, code, signal, err: error, upForMs, restartInMs: delayMs,
      consecutiveCrashes: child.consecutiveCrashes, lastLines: child.lastLines,
    }, 'child exited unexpectedly; restarting');
    this.onChange();
    child.restartTimer = setTimeout(() => {
      if (this.stopping !== undefined) return;
      child.restarts++;
      this.restartsTotal.inc({ child: name });
      this.launch(child);
    }, delayMs);
  }

  private async stopChild(child: SupervisedChild): Promise<void> {
    if (child.restartTimer !== undefined) {
      clearTimeout(child.restartTimer);
      child.restartTimer = undefined;
    }
    const proc = child.process;
    if (proc?.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) {
      child.state = ChildState.Stopped;
      return;
    }
    child.state = ChildState.Stopping;
    child.probeAbort?.abort();
    const pid = proc.pid;
    const graceMs = child.spec.stopGraceMs ?? 5000;
    signalPid(pid, 'SIGTERM');
    const killTimer = setTimeout(() => {
      this.logger.warn({ child: child.spec.name, childPid: pid, graceMs }, 'child ignored SIGTERM; sending SIGKILL');
      signalPid(pid, 'SIGKILL');
    }, graceMs);
    await child.exited;
    clearTimeout(killTimer);
  }
}

/** Resolves after ms, or at once when signal aborts; leaves no listener behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: it exited in the meantime; the exit handler records it.
  }
}

/**
 * A child's output line as a pino record to forward (with `component` set), or undefined
 * when the line is not one. Records from this codebase's loggers start with `{"level":`.
 */
function logRecord(line: string, component: string): string | undefined {
  if (!line.startsWith('{"level":') || !line.endsWith('}')) return undefined;
  // componentLogger's records name their component: forwarded without a parse, the
  // supervisor's whole cost per line (pino wrote it as one JSON object, newline-free).
  if (line.includes('"component":"')) return line;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  if ('component' in record) return line;
  return JSON.stringify({ ...record, component });
}
