import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/**
 * A benchmark peer (engine, app) run as its own OS process, so it gets its own core and its
 * CPU and memory can be read from /proc. Output goes to a log file, never to a pipe that
 * could fill up and stall the process under load.
 */
export interface BenchChild {
  name: string;
  pid: number;
  logFile: string;
  /** Settles when the process exits, with its exit code or signal. */
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Stops the process by PID: SIGTERM, then SIGKILL after graceMs; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the first output line matching the pattern, or rejects after timeoutMs or on exit. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<string>;
}

export async function spawnBenchChild(name: string, command: string, args: readonly string[], logFile: string): Promise<BenchChild> {
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start`);
  // The last few KB of output are kept to match readiness lines and explain early exits.
  let recent = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    log.write(chunk);
    recent = (recent + chunk.toString('utf8')).slice(-8192);
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      for (const listener of listeners) listener();
      log.end(() => resolve({ exitCode, signal }));
    });
  });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name,
    pid,
    logFile,
    exited,
    alive,
    async stop(graceMs = 5000): Promise<void> {
      if (!alive()) return void (await exited);
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (alive()) process.kill(pid, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
    waitForOutput(pattern: RegExp, timeoutMs: number): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = recent.split('\n').find((candidate) => pattern.test(candidate));
          if (line !== undefined) finish(() => resolve(line));
          else if (!alive()) finish(() => reject(new Error(`${name} exited before printing ${pattern}; see ${logFile}:\n${recent.slice(-2000)}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; see ${logFile}`))), timeoutMs);
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
  };
}
