import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../test/support/wait-until.js';
import { rtpengineArgs, rtpenginePidFile } from './rtpengine-args.js';
import { pingRtpengine } from './rtpengine-ping.js';
import { isRtpengineWithPidFile, stopStaleRtpengine } from './stale-rtpengine.js';
import { isProcessAlive } from '../../platform/supervisor/process-alive.js';
import { rtpengineTestPop } from '../testing/rtpengine-test-pop.js';

const stateDir = mkdtempSync(join(tmpdir(), 'vpop-stale-'));
const silent = pino({ level: 'silent' });
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  }
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function testPop() {
  return rtpengineTestPop({ id: 'stale', stateDir, mediaPorts: 12 });
}


describe('isRtpengineWithPidFile', () => {
  it('matches rtpengine with this pidfile in either flag form, nothing else', () => {
    expect(isRtpengineWithPidFile(['/usr/bin/rtpengine', '--foreground', '--pidfile=/s/rtpengine.pid'], '/usr/bin/rtpengine', '/s/rtpengine.pid')).toBe(true);
    expect(isRtpengineWithPidFile(['rtpengine', '-p', '/s/rtpengine.pid'], '/usr/bin/rtpengine', '/s/rtpengine.pid')).toBe(true);
    expect(isRtpengineWithPidFile(['/usr/bin/rtpengine', '--pidfile=/other/rtpengine.pid'], '/usr/bin/rtpengine', '/s/rtpengine.pid')).toBe(false);
    expect(isRtpengineWithPidFile(['/usr/bin/node', '--pidfile=/s/rtpengine.pid'], '/usr/bin/rtpengine', '/s/rtpengine.pid')).toBe(false);
    expect(isRtpengineWithPidFile([], '/usr/bin/rtpengine', '/s/rtpengine.pid')).toBe(false);
  });
});

describe('stopStaleRtpengine', () => {
  it('stops a leftover real rtpengine of the POP by the PID in its pidfile', async () => {
    const pop = await testPop();
    mkdirSync(pop.rtpengine.recordingDir, { recursive: true });
    const leftover = spawn(pop.rtpengine.binary, rtpengineArgs(pop), { stdio: 'ignore' });
    started.push(leftover);
    const target = { address: '127.0.0.1', port: pop.rtpengine.ngPort };
    await waitUntil(() => pingRtpengine(target, 300), 'the leftover rtpengine to answer ng ping', { timeoutMs: 10_000, intervalMs: 100 });
    expect(Number(readFileSync(rtpenginePidFile(pop), 'utf8'))).toBe(leftover.pid);

    expect(await stopStaleRtpengine(pop, silent)).toBe(leftover.pid);
    expect(isProcessAlive(leftover.pid!)).toBe(false);
    expect(await pingRtpengine(target, 300)).toBe(false);
  });

  it('leaves alone a process that merely reuses the PID, and clears the stale pidfile', async () => {
    const pop = await testPop();
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    started.push(bystander);
    writeFileSync(rtpenginePidFile(pop), `${bystander.pid}\n`);
    expect(await stopStaleRtpengine(pop, silent)).toBeUndefined();
    expect(isProcessAlive(bystander.pid!)).toBe(true);
    expect(existsSync(rtpenginePidFile(pop))).toBe(false);
  });

  it('does nothing without a pidfile or with garbage in it', async () => {
    const pop = await testPop();
    rmSync(rtpenginePidFile(pop), { force: true });
    expect(await stopStaleRtpengine(pop, silent)).toBeUndefined();
    writeFileSync(rtpenginePidFile(pop), 'not a pid');
    expect(await stopStaleRtpengine(pop, silent)).toBeUndefined();
  });
});
