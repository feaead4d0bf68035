// A real rtpengine on free loopback ports for tests, from the POP flag builder, stopped
// by PID. Its ng address and media range are what a test's POP config should use.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { recordingSpoolDir, rtpengineArgs } from '../rtpengine/rtpengine-args.js';
import { pingRtpengine } from '../rtpengine/rtpengine-ping.js';
import { rtpengineTestPop } from './rtpengine-test-pop.js';

export interface TestRtpengine {
  ngAddress: string;
  ngPort: number;
  portMin: number;
  portMax: number;
  /** The rtpengine section for a test POP file. */
  popSection: PopConfig['rtpengine'];
  /** The test POP's state directory (a fresh temporary one), removed by stop(). */
  stateDir: string;
  /** Where rtpengine writes recorded segments. */
  spoolDir: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startTestRtpengine(mediaPorts = 200, options: { dtmfLogPort?: number; threads?: number } = {}): Promise<TestRtpengine> {
  const stateDir = mkdtempSync(join(tmpdir(), 'vpop-test-rtpengine-'));
  const pop = await rtpengineTestPop({ id: 'media-test', stateDir, mediaPorts, logging: 'warn', ...options });
  const { portMin } = pop.rtpengine;
  mkdirSync(pop.rtpengine.recordingDir, { recursive: true });
  const child: ChildProcess = spawn(pop.rtpengine.binary, rtpengineArgs(pop), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const target = { address: '127.0.0.1', port: pop.rtpengine.ngPort };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const killTimer = setTimeout(() => { if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL'); }, 5000);
      await exited;
      clearTimeout(killTimer);
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    if (await pingRtpengine(target, 200)) {
      return {
        ngAddress: target.address, ngPort: target.port, portMin, portMax: pop.rtpengine.portMax, popSection: pop.rtpengine,
        stateDir, spoolDir: recordingSpoolDir(pop), pid: child.pid ?? 0, stop,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`rtpengine did not answer ng ping: ${stderr}`);
}
