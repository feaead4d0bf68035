// tshark on lo for the carrier's side of a call, stopped by PID; the capture file is
// read back with tshark's dissectors.
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoopbackCapture {
  file: string;
  stop(): Promise<void>;
}

export async function startLoopbackCapture(file: string, filter: string): Promise<LoopbackCapture> {
  const child = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`tshark did not start capturing: ${text}`)), 10_000);
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      // tshark reports before the capture filter is live; give it a moment.
      if (text.includes('Capturing on')) { clearTimeout(timer); setTimeout(resolve, 1000); }
    });
    child.once('exit', () => { clearTimeout(timer); reject(new Error(`tshark exited: ${text}`)); });
  });
  return {
    file,
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        // Let the last packets reach the file before stopping.
        await new Promise((resolve) => setTimeout(resolve, 300));
        process.kill(child.pid, 'SIGINT');
      }
      await exited;
    },
  };
}

/** One line per packet of the given tshark fields, separated by tabs. */
export async function captureFields(file: string, fields: string[], displayFilter: string, decodeAs: string[] = []): Promise<string[][]> {
  const args = ['-r', file, '-Y', displayFilter, '-T', 'fields', ...fields.flatMap((field) => ['-e', field]), ...decodeAs.flatMap((rule) => ['-d', rule])];
  const { stdout } = await run('tshark', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}
