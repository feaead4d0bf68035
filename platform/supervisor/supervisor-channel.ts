// A node child's side of the IPC channel `vpop up` opens to it. Two jobs:
//  - readiness: the child says when it can carry a call (and when it no longer can); a
//    port probe cannot tell this child from an orphan of a previous POP on the same port;
//  - dying with the supervisor: the channel closes when the supervisor exits, however it
//    exits (SIGKILL included), and the child then stops itself.
// Outside a supervisor (no channel) every function here does nothing.
import type { Logger } from '../logging/logger.js';

/** What a child sends its supervisor. */
export type ChildReport =
  | { vpop: 'ready'; details?: Record<string, unknown> }
  | { vpop: 'not-ready'; reason: string };

export function isChildReport(message: unknown): message is ChildReport {
  if (typeof message !== 'object' || message === null) return false;
  const { vpop, reason } = message as { vpop?: unknown; reason?: unknown };
  return vpop === 'ready' || (vpop === 'not-ready' && typeof reason === 'string');
}

function send(report: ChildReport): void {
  if (process.send === undefined || !process.connected) return;
  process.send(report, (error: Error | null) => {
    // The supervisor is gone; exitWithSupervisor handles that.
    void error;
  });
}

/** This process can now carry calls. */
export function reportReady(details?: Record<string, unknown>): void {
  send(details === undefined ? { vpop: 'ready' } : { vpop: 'ready', details });
}

/** This process cannot carry calls any more (it keeps running and says ready again later). */
export function reportNotReady(reason: string): void {
  send({ vpop: 'not-ready', reason });
}

/**
 * When the supervisor's channel closes, stop (bounded by graceMs) and exit 0. The
 * channel is unreferenced so that it alone never keeps the process alive.
 */
export function exitWithSupervisor(stop: () => Promise<unknown>, logger: Logger, graceMs = 5000): void {
  if (process.send === undefined) return;
  process.channel?.unref();
  const onGone = (): void => {
    logger.warn('the supervisor is gone (its channel closed); stopping');
    const deadline = setTimeout(() => process.exit(1), graceMs);
    deadline.unref();
    stop().then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: error }, 'stopping after the supervisor left failed');
      process.exit(1);
    });
  };
  if (!process.connected) onGone();
  else process.once('disconnect', onGone);
}
