// A real redis-server for tests and benchmarks: on a free loopback port, no persistence,
// stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../../test/support/free-port.js';

export interface TestRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** kill -9, as a crash would. */
  kill(): Promise<void>;
}

export async function startRedisServer(): Promise<TestRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${String(code)}) before it was ready: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  const stopWith = (signal: NodeJS.Signals) => (): Promise<void> => exited(child, signal);
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid as number, stop: stopWith('SIGTERM'), kill: stopWith('SIGKILL') };
}

function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(child.pid as number, signal);
  });
}
