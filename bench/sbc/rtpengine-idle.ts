import { rtpengineOwnSessions, type RunningEdgePop } from './edge-pop.js';

/**
 * Waits until rtpengine reports no sessions of its own (deleted calls linger ~30 s: vpop runs
 * it without --delete-delay), or timeoutMs; returns the last count seen.
 */
export async function waitForRtpengineIdle(pop: Pick<RunningEdgePop, 'metrics'>, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let sessions: number | undefined;
  for (;;) {
    sessions = rtpengineOwnSessions(await pop.metrics().catch(() => ''));
    if (sessions === 0 || Date.now() >= deadline) return sessions;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
