// The SBC and the stand-in routing core as children of `vpop up`, run with this same
// Node from the build (dist/).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildSpec } from '../../platform/supervisor/supervisor.js';

/** This module's directory: dist/edge/sbc when run from the build. */
const BUILT_DIR = fileURLToPath(new URL('.', import.meta.url));

/** `sbcDir` is the built edge/sbc directory; tests running from sources pass dist's. */
export function sbcProcess(popFile: string, sbcDir = BUILT_DIR): ChildSpec {
  return {
    name: 'sbc',
    command: process.execPath,
    args: [join(sbcDir, 'run-sbc.js'), '--pop', popFile],
    required: true,
    // Ready once connected to the engine and rtpengine answers (reported over IPC).
    ipc: true,
  };
}

/** Until the routing core exists: answers every call the edge hands over with an echo. */
export function standInCoreProcess(popFile: string, sbcDir = BUILT_DIR): ChildSpec {
  return {
    name: 'stand-in-core',
    command: process.execPath,
    args: [join(sbcDir, 'stand-in-core', 'run-stand-in-core.js'), '--pop', popFile],
    required: false,
    // Ready once its app is routed for INVITEs (reported over IPC).
    ipc: true,
  };
}
