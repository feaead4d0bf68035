// The routing core as a child of `vpop up` (the same Node and build), ready when its API serves.
import { fileURLToPath } from 'node:url';
import type { ChildSpec } from '../platform/supervisor/supervisor.js';

export function routingCoreProcess(coreFile: string): ChildSpec {
  return {
    name: 'routing-core',
    command: process.execPath,
    args: [fileURLToPath(new URL('../cli/vpop.js', import.meta.url)), 'core', '--config', coreFile],
    ipc: true,
    required: true,
  };
}
