// The processes of a running POP, recorded in its state directory so that the next
// `vpop up` can find what a killed predecessor left behind. A process is identified by
// its PID *and* its start time (field 22 of /proc/PID/stat, clock ticks since boot): a
// PID reused by an unrelated process has another start time and is left alone. Never by
// name: two POPs on one machine each stop only their own processes.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from '../logging/logger.js';
import { isProcessAlive } from './process-alive.js';

export interface RecordedProcess {
  name: string;
  pid: number;
  /** /proc/PID/stat starttime. */
  startTime: string;
}

export interface PopProcessRecordFile {
  supervisor: RecordedProcess;
  children: RecordedProcess[];
}

/** The start time of a live process, or undefined when there is no such process (or only its zombie). */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); starttime is field 22. A zombie has exited already.
  if (fields[0] === 'Z') return undefined;
  return fields[22 - 3];
}

/** Whether pid is still the process that was recorded (same start time). */
function isSameProcess(recorded: Pick<RecordedProcess, 'pid' | 'startTime'>): boolean {
  return processStartTime(recorded.pid) === recorded.startTime;
}

export function readProcessRecord(file: string): PopProcessRecordFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PopProcessRecordFile>;
    const valid = (entry: unknown): entry is RecordedProcess => {
      const { name, pid, startTime } = (entry ?? {}) as Partial<RecordedProcess>;
      return typeof name === 'string' && Number.isInteger(pid) && (pid as number) > 1 && typeof startTime === 'string';
    };
    if (!valid(parsed.supervisor) || !Array.isArray(parsed.children)) return undefined;
    return { supervisor: parsed.supervisor, children: parsed.children.filter(valid) };
  } catch {
    return undefined;
  }
}

/** Keeps <file> up to date with this process and its live children (written atomically). */
export class PopProcessRecord {
  private readonly supervisor: RecordedProcess;

  constructor(private readonly file: string) {
    this.supervisor = { name: 'vpop-up', pid: process.pid, startTime: processStartTime(process.pid) ?? '' };
  }

  write(children: ReadonlyArray<{ name: string; pid: number | undefined }>): void {
    const record: PopProcessRecordFile = {
      supervisor: this.supervisor,
      children: children.flatMap(({ name, pid }) => {
        const startTime = pid === undefined ? undefined : processStartTime(pid);
        return pid === undefined || startTime === undefined ? [] : [{ name, pid, startTime }];
      }),
    };
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

export class PopAlreadyRunningError extends Error {
  constructor(readonly pid: number, file: string) {
    super(`another vpop up (PID ${pid}) is running this POP (recorded in ${file}); stop it first`);
    this.name = 'PopAlreadyRunningError';
  }
}

async function waitGone(recorded: RecordedProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isSameProcess(recorded)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // exited in the meantime
  }
}

/**
 * Stops what a previous supervisor of this POP left running: each recorded child that is
 * still the same process gets SIGTERM, then SIGKILL after graceMs. Throws
 * PopAlreadyRunningError when the recorded supervisor itself is still running.
 * Returns the processes it stopped.
 */
export async function stopLeftovers(file: string, logger: Logger, graceMs = 5000): Promise<RecordedProcess[]> {
  const record = readProcessRecord(file);
  if (record === undefined) return [];
  const { supervisor } = record;
  if (supervisor.pid !== process.pid && isProcessAlive(supervisor.pid) && isSameProcess(supervisor)) {
    throw new PopAlreadyRunningError(supervisor.pid, file);
  }
  const leftovers = record.children.filter(isSameProcess);
  if (leftovers.length === 0) return [];
  logger.warn({ leftovers: leftovers.map(({ name, pid }) => ({ name, childPid: pid })), previousSupervisorPid: supervisor.pid },
    'stopping processes a previous vpop up of this POP left running');
  for (const leftover of leftovers) signal(leftover.pid, 'SIGTERM');
  await Promise.all(leftovers.map(async (leftover) => {
    if (await waitGone(leftover, graceMs)) return;
    logger.warn({ name: leftover.name, childPid: leftover.pid, graceMs }, 'leftover ignored SIGTERM; sending SIGKILL');
    signal(leftover.pid, 'SIGKILL');
    await waitGone(leftover, 2000);
  }));
  return leftovers;
}
