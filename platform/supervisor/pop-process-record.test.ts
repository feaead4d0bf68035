import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exitOf } from '../../test/support/child-exit.js';
import {
  PopAlreadyRunningError, PopProcessRecord, processStartTime, readProcessRecord, stopLeftovers, type PopProcessRecordFile,
} from './pop-process-record.js';
import { isProcessAlive } from './process-alive.js';

const dir = mkdtempSync(join(tmpdir(), 'vpop-process-record-'));
const silent = pino({ level: 'silent' });
const started: ChildProcess[] = [];

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  started.push(child);
  return child;
}

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PopProcessRecord and stopLeftovers', () => {
  it('records children with their start times and stops the ones still running on the next start', async () => {
    const file = join(dir, 'leftover.json');
    const leftover = sleeper();
    new PopProcessRecord(file).write([{ name: 'sbc', pid: leftover.pid }, { name: 'never-started', pid: undefined }]);
    const record = readProcessRecord(file)!;
    expect(record.supervisor.pid).toBe(process.pid);
    expect(record.children).toEqual([{ name: 'sbc', pid: leftover.pid, startTime: processStartTime(leftover.pid!) }]);
    // As a new supervisor would see it after this one was killed: another supervisor PID, long gone.
    writeFileSync(file, JSON.stringify({ ...record, supervisor: { name: 'vpop-up', pid: 2 ** 22 + 1, startTime: '1' } }));

    const stopped = await stopLeftovers(file, silent);
    expect(stopped.map((process_) => process_.pid)).toEqual([leftover.pid]);
    expect(await exitOf(leftover)).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('leaves alone a process whose PID was reused (another start time)', async () => {
    const file = join(dir, 'reused.json');
    const stranger = sleeper();
    const record: PopProcessRecordFile = {
      supervisor: { name: 'vpop-up', pid: 2 ** 22 + 1, startTime: '1' },
      children: [{ name: 'engine', pid: stranger.pid!, startTime: String(Number(processStartTime(stranger.pid!)) - 1) }],
    };
    writeFileSync(file, JSON.stringify(record));
    expect(await stopLeftovers(file, silent)).toEqual([]);
    expect(isProcessAlive(stranger.pid!)).toBe(true);
  });

  it('refuses to start beside a supervisor of the same POP that is still running', async () => {
    const file = join(dir, 'running.json');
    const running = sleeper();
    const child = sleeper();
    writeFileSync(file, JSON.stringify({
      supervisor: { name: 'vpop-up', pid: running.pid, startTime: processStartTime(running.pid!) },
      children: [{ name: 'sbc', pid: child.pid, startTime: processStartTime(child.pid!) }],
    }));
    await expect(stopLeftovers(file, silent)).rejects.toBeInstanceOf(PopAlreadyRunningError);
    expect(isProcessAlive(child.pid!)).toBe(true);
  });

  it('treats a missing or unreadable record as nothing to stop', async () => {
    expect(await stopLeftovers(join(dir, 'absent.json'), silent)).toEqual([]);
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"supervisor": 3');
    expect(await stopLeftovers(garbage, silent)).toEqual([]);
    expect(readFileSync(garbage, 'utf8')).toBe('{"supervisor": 3');
  });
});
