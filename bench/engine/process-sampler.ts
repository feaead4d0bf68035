import { readFile } from 'node:fs/promises';

/**
 * CPU and memory of benchmark processes (engine, app, SIPp), read from /proc/<pid>/stat.
 * CPU% is the delta of user+system clock ticks over a wall-clock interval, so 100% means
 * one core fully used and a two-core machine tops out at 200%.
 */

/** Linux reports utime/stime in USER_HZ, which is 100 on every architecture Node runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE_BYTES = 4096;

export interface ProcStat {
  /** user + system CPU time in clock ticks. */
  cpuTicks: number;
  rssBytes: number;
  /**
   * Time the main thread (the event loop) spent runnable but waiting for a CPU, in ns, from
   * /proc/<pid>/schedstat. On a shared machine this tells a saturated process (busy, little
   * wait) from a starved one (little CPU, long wait).
   */
  runQueueWaitNs?: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name (field 2) is in parentheses and may
 * itself contain spaces or parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(line: string): ProcStat {
  const end = line.lastIndexOf(')');
  if (end < 0) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  // After ')' the fields start at field 3 (state): utime is field 14, stime 15, rss 24.
  const fields = line.slice(end + 2).trim().split(' ');
  const field = (number: number): number => {
    const value = Number(fields[number - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/<pid>/stat field ${number} is not a number: ${line.slice(0, 80)}`);
    return value;
  };
  return { cpuTicks: field(14) + field(15), rssBytes: field(24) * PAGE_SIZE_BYTES };
}

/** Parses /proc/<pid>/schedstat: "<on-cpu ns> <run-queue wait ns> <timeslices>"; returns the wait. */
export function parseSchedStat(line: string): number {
  const wait = Number(line.trim().split(/\s+/)[1]);
  if (!Number.isFinite(wait)) throw new Error(`not a /proc/<pid>/schedstat line: ${line.slice(0, 80)}`);
  return wait;
}

/** Run-queue wait between two readings as % of wall time (100 = waited the whole interval). */
export function runQueueWaitPercent(before: ProcStat, after: ProcStat, elapsedMs: number): number | undefined {
  if (elapsedMs <= 0 || before.runQueueWaitNs === undefined || after.runQueueWaitNs === undefined) return undefined;
  return ((after.runQueueWaitNs - before.runQueueWaitNs) / 1e6 / elapsedMs) * 100;
}

/** CPU% between two readings taken elapsedMs apart (100 = one core busy). */
export function cpuPercent(before: ProcStat, after: ProcStat, elapsedMs: number): number {
  if (elapsedMs <= 0) return 0;
  const cpuMs = ((after.cpuTicks - before.cpuTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
  return (cpuMs / elapsedMs) * 100;
}

/** Reads /proc/<pid>/stat; undefined once the process has gone. */
export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const stat = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    const schedstat = await readFile(`/proc/${pid}/schedstat`, 'utf8').catch(() => undefined);
    return schedstat === undefined ? stat : { ...stat, runQueueWaitNs: parseSchedStat(schedstat) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    throw error;
  }
}

export interface SampledProcess {
  name: string;
  pid: number;
}

export interface ProcessUsage {
  name: string;
  pid: number;
  /** CPU time used in the window, in ms. */
  cpuMs: number | undefined;
  /** Mean CPU% from the first to the last reading of the process alive; undefined if it never was. */
  cpuPercent: number | undefined;
  /** Mean share of wall time the main thread waited for a CPU; undefined without schedstat. */
  runQueueWaitPercent: number | undefined;
  /** Highest one-interval CPU% seen in the window. */
  peakCpuPercent: number;
  peakRssBytes: number;
  lastRssBytes: number;
}

export interface UsageWindow {
  /** Stops sampling and returns usage per process over the window. */
  finish(): Promise<ProcessUsage[]>;
}

interface Track {
  process: SampledProcess;
  first: ProcStat | undefined;
  firstAt: number;
  previous: ProcStat | undefined;
  previousAt: number;
  /** The last reading taken while the process was alive, so one that exits mid-window still has a mean. */
  lastSeen: ProcStat | undefined;
  lastSeenAt: number;
  peakCpuPercent: number;
  peakRssBytes: number;
  lastRssBytes: number;
}

async function sampleTrack(track: Track): Promise<ProcStat | undefined> {
  const now = Date.now();
  const stat = await readProcStat(track.process.pid);
  if (stat) {
    if (track.previous) track.peakCpuPercent = Math.max(track.peakCpuPercent, cpuPercent(track.previous, stat, now - track.previousAt));
    track.peakRssBytes = Math.max(track.peakRssBytes, stat.rssBytes);
    track.lastRssBytes = stat.rssBytes;
    track.lastSeen = stat;
    track.lastSeenAt = now;
  }
  track.previous = stat;
  track.previousAt = now;
  return stat;
}

/**
 * Starts a measurement window over some processes: a reading now, one every intervalMs
 * (for peak RSS and peak CPU), and a last one at finish().
 */
export async function startUsageWindow(processes: readonly SampledProcess[], intervalMs = 1000): Promise<UsageWindow> {
  const startedAt = Date.now();
  const tracks: Track[] = processes.map((process) => ({
    process, first: undefined, firstAt: startedAt, previous: undefined, previousAt: startedAt, lastSeen: undefined, lastSeenAt: startedAt,
    peakCpuPercent: 0, peakRssBytes: 0, lastRssBytes: 0,
  }));
  for (const track of tracks) {
    track.first = await sampleTrack(track);
    track.firstAt = track.previousAt;
  }
  let sampling: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    sampling = Promise.all(tracks.map(sampleTrack));
  }, intervalMs);
  return {
    async finish(): Promise<ProcessUsage[]> {
      clearInterval(timer);
      await sampling;
      const usages: ProcessUsage[] = [];
      for (const track of tracks) {
        await sampleTrack(track);
        usages.push({
          name: track.process.name,
          pid: track.process.pid,
          cpuMs: track.first && track.lastSeen ? ((track.lastSeen.cpuTicks - track.first.cpuTicks) * 1000) / CLOCK_TICKS_PER_SECOND : undefined,
          cpuPercent: track.first && track.lastSeen ? cpuPercent(track.first, track.lastSeen, track.lastSeenAt - track.firstAt) : undefined,
          runQueueWaitPercent: track.first && track.lastSeen
            ? runQueueWaitPercent(track.first, track.lastSeen, track.lastSeenAt - track.firstAt)
            : undefined,
          peakCpuPercent: track.peakCpuPercent,
          peakRssBytes: track.peakRssBytes,
          lastRssBytes: track.lastRssBytes,
        });
      }
      return usages;
    },
  };
}

/** Bytes as mebibytes with one decimal, for tables. */
export function mebibytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
