import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { startSipp } from '../../test/support/sipp.js';
import { freePort } from '../../test/support/free-port.js';
import { runUacBounded } from '../engine/bench-run.js';
import { PLAIN_TRUNK_SOURCE, type RunningEdgePop } from './edge-pop.js';

/** The number every benchmark call dials (the stand-in core answers any). */
export const DIALLED = '18005550100';

/**
 * Places single SIPp calls until one is answered: the SBC may still be connecting to the
 * engine when every process reports ready. Throws after 30 attempts.
 */
export async function waitForFirstAnsweredCall(pop: RunningEdgePop, logDir: string): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const result = await runUacBounded(await startSipp({
      scenario: 'uac', target: pop.sipTarget, localAddress: PLAIN_TRUNK_SOURCE, localPort: await freePort(PLAIN_TRUNK_SOURCE), transport: 'u1',
      calls: 1, durationMs: 100, timeoutSeconds: 10, service: DIALLED, logDir: await mkdtemp(join(logDir, 'first-call-')),
    }), 15);
    if ((result.statistics?.successfulCalls ?? 0) === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no call through the edge was answered in 30 attempts; see ${logDir}`);
}
