// A real rtpengine on free loopback ports for tests, from the POP flag builder, stopped
// by PID. Its ng address and media range are what a test's POP config should use.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { popConfigSchema, type PopConfig } from '../../platform/config/pop-schema.js';
import { freePort } from '../../test/support/free-port.js';
import { rtpengineArgs } from '../rtpengine/rtpengine-args.js';
import { pingRtpengine } from '../rtpengine/rtpengine-ping.js';

export interface TestRtpengine {
  ngAddress: string;
  ngPort: number;
  portMin: number;
  portMax: number;
  /** The rtpengine section for a test POP file. */
  popSection: PopConfig['rtpengine'];
  stop(): Promise<void>;
}

export async function startTestRtpengine(mediaPorts = 200): Promise<TestRtpengine> {
  const stateDir = mkdtempSync(join(tmpdir(), 'vpop-test-rtpengine-'));
  // A random block in 20000-59999 so parallel test rtpengines rarely share ports.
  const portMin = 20_000 + Math.floor(Math.random() * Math.floor((40_000 - mediaPorts) / 100)) * 100;
  const pop = popConfigSchema.parse({
    pop: { id: 'media-test', region: 'lab' },
    sip: { listeners: [{ name: 'udp', transport: 'udp', address: '127.0.0.1', port: await freePort() }] },
    engine: { secret: 's' },
    rtpengine: {
      ngAddress: '127.0.0.1', ngPort: await freePort(), httpPort: await freePort(),
      interfaces: [{ name: 'loopback', address: '127.0.0.1' }],
      portMin, portMax: portMin + mediaPorts - 1, threads: 1,
    },
    routingCore: { sipUri: 'sip:127.0.0.1:5070' },
    ops: { port: await freePort() },
    logging: { level: 'warn' },
    stateDir,
  });
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
      return { ngAddress: target.address, ngPort: target.port, portMin, portMax: pop.rtpengine.portMax, popSection: pop.rtpengine, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`rtpengine did not answer ng ping: ${stderr}`);
}
