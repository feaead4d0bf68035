import { join } from 'node:path';
import { spawnBenchChild, type BenchChild } from './child-process.js';
import type { EngineProcess } from './engine-process.js';
import { builtFile } from './repo-paths.js';

const APP_MAIN = builtFile('bench/engine/b2bua-app-main.js');

export interface B2buaAppProcessOptions {
  engine: EngineProcess;
  /** host:port[;transport=x] of the callee the app bridges to. */
  target: string;
  logDir: string;
  nodeArgs?: readonly string[];
}

/** Starts the createB2BUA app in its own process and resolves once it is connected to the engine. */
export async function startB2buaAppProcess(options: B2buaAppProcessOptions): Promise<BenchChild> {
  const args = [
    ...(options.nodeArgs ?? []), APP_MAIN,
    '--host', options.engine.address, '--port', String(options.engine.controlPort),
    '--secret', options.engine.secret, '--target', options.target,
  ];
  const child = await spawnBenchChild('b2bua-app', process.execPath, args, join(options.logDir, 'b2bua-app.log'));
  try {
    await child.waitForOutput(/b2bua app ready/, 15_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child;
}
