import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cpuPercent, parseProcStat, parseSchedStat, readProcStat, runQueueWaitPercent, startUsageWindow } from './process-sampler.js';

// A real line from /proc/<pid>/stat with a command name holding a space and a parenthesis.
const STAT_LINE = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194304 5210 0 0 0 1234 567 0 0 20 0 11 0 9000 1234567890 25600 18446744073709551615 1 1 0 0 0 0 0 16781312 134234626 0 0 0 17 1 0 0 0 0 0';

describe('parseProcStat', () => {
  it('reads utime+stime and rss counting fields from the last parenthesis', () => {
    expect(parseProcStat(STAT_LINE)).toEqual({ cpuTicks: 1234 + 567, rssBytes: 25600 * 4096 });
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseProcStat('no parenthesis here')).toThrow(/not a \/proc/);
    expect(() => parseProcStat('1 (x) S 1 2')).toThrow(/field 14/);
  });
});

describe('cpuPercent', () => {
  it('is 100 for one core busy over the interval', () => {
    expect(cpuPercent({ cpuTicks: 100, rssBytes: 0 }, { cpuTicks: 300, rssBytes: 0 }, 2000)).toBe(100);
  });

  it('is 0 for an empty interval rather than dividing by zero', () => {
    expect(cpuPercent({ cpuTicks: 0, rssBytes: 0 }, { cpuTicks: 5, rssBytes: 0 }, 0)).toBe(0);
  });
});

describe('run-queue wait', () => {
  it('reads the wait from schedstat and turns it into a share of wall time', () => {
    expect(parseSchedStat('123456789 500000000 42\n')).toBe(500_000_000);
    expect(() => parseSchedStat('')).toThrow(/schedstat/);
    const before = { cpuTicks: 0, rssBytes: 0, runQueueWaitNs: 0 };
    expect(runQueueWaitPercent(before, { ...before, runQueueWaitNs: 500_000_000 }, 1000)).toBe(50);
    expect(runQueueWaitPercent({ cpuTicks: 0, rssBytes: 0 }, before, 1000)).toBeUndefined();
  });
});

describe('usage window over a real process', () => {
  it('sees a busy child dwarf an idle one, and survives the child exiting', async () => {
    // Each child reports once Node has booted, so start-up CPU stays out of the window.
    const busy = spawn(process.execPath, ['-e', 'console.log("ready"); const end = Date.now() + 1500; while (Date.now() < end) {}']);
    const idle = spawn(process.execPath, ['-e', 'console.log("ready"); setTimeout(() => {}, 1500)']);
    try {
      await Promise.all([busy, idle].map((child) => new Promise((resolve) => child.stdout.once('data', resolve))));
      const window = await startUsageWindow([{ name: 'busy', pid: busy.pid! }, { name: 'idle', pid: idle.pid! }], 200);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const usage = await window.finish();
      const busyUsage = usage.find((entry) => entry.name === 'busy')!;
      const idleUsage = usage.find((entry) => entry.name === 'idle')!;
      // The machine is shared (load may be far above the core count), so the busy loop may get
      // much less than a core; it still dwarfs the idle child.
      expect(busyUsage.cpuPercent).toBeGreaterThan(5);
      expect(busyUsage.cpuPercent).toBeGreaterThan(5 * (idleUsage.cpuPercent ?? 0));
      expect(busyUsage.peakCpuPercent).toBeGreaterThanOrEqual(busyUsage.cpuPercent ?? 0);
      expect(busyUsage.cpuMs).toBeGreaterThan(0);
      expect(busyUsage.runQueueWaitPercent).toBeGreaterThanOrEqual(0);
      expect(busyUsage.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
      await new Promise<void>((resolve) => (busy.exitCode !== null ? resolve() : busy.once('exit', () => resolve())));
      expect(await readProcStat(busy.pid!)).toBeUndefined();
    } finally {
      busy.kill();
      idle.kill();
    }
  });
});
