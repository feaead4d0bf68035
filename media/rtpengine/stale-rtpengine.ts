// An rtpengine left running by a previous `vpop up` that was killed outright (SIGKILL,
// OOM) still holds the POP's ng and media ports, so the new one would crash-loop on
// "Address already in use". Its PID is in the POP's pidfile; it is stopped by that PID,
// and only after /proc confirms the process is an rtpengine writing that same pidfile
// (a recycled PID belongs to someone else and is left alone).
import { readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { rtpenginePidFile } from './rtpengine-args.js';
import { isProcessAlive } from '../../platform/supervisor/process-alive.js';

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((part) => part !== '');
  } catch {
    return undefined;
  }
}

/** Whether argv is an rtpengine started with this pidfile. */
export function isRtpengineWithPidFile(argv: readonly string[], binary: string, pidFile: string): boolean {
  const [program] = argv;
  if (program === undefined) return false;
  const isRtpengine = program === binary || basename(program) === basename(binary);
  return isRtpengine && argv.some((arg, index) => arg === `--pidfile=${pidFile}` || ((arg === '-p' || arg === '--pidfile') && argv[index + 1] === pidFile));
}


async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Stops a leftover rtpengine of this POP; returns its PID, or undefined when there was none. */
export async function stopStaleRtpengine(pop: PopConfig, logger: Logger, graceMs = 5000): Promise<number | undefined> {
  const pidFile = rtpenginePidFile(pop);
  const pid = readPid(pidFile);
  if (pid === undefined) return undefined;
  const argv = commandLine(pid);
  if (argv === undefined || !isRtpengineWithPidFile(argv, pop.rtpengine.binary, pidFile)) {
    // Gone, or the PID now belongs to another program: the pidfile is just stale.
    rmSync(pidFile, { force: true });
    return undefined;
  }
  logger.warn({ childPid: pid, pidFile }, 'stopping an rtpengine left running by a previous vpop up');
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return pid;
  }
  if (!(await waitGone(pid, graceMs))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited in the meantime
    }
    await waitGone(pid, 2000);
  }
  return pid;
}
