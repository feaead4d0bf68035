// The SBC's calls checked against the two parts that carry them, so that no path
// leaves a ghost call (a call the SBC counts, holds a trunk slot and an open CDR for,
// that no longer exists). Run when the engine connection comes back and every few
// seconds:
// - engine: a call whose dialogs the engine no longer holds ends (engine-lost); so does
//   a call still being set up when the engine connection dropped (its transactions died
//   with it).
// - rtpengine: an answered call rtpengine no longer holds ends: media-timeout when
//   rtpengine ran all along (its no-media timeout deleted the call), media-lost when it
//   restarted (its uptime is shorter than the call) or stayed unreachable.
import type { Logger } from 'pino';
import type { MediaAnchor } from '../../../media/session/media-anchor.js';
import type { CallSession } from './call-session.js';

export interface CallAuditDeps {
  calls: ReadonlySet<CallSession>;
  /** Which of these dialog ids the engine holds; rejects when it cannot be asked. */
  engineDialogs: (ids: string[]) => Promise<Set<string>>;
  anchor: MediaAnchor;
  logger: Logger;
  /** How long rtpengine may stay unreachable before its calls are given up. */
  mediaLostAfterMs: number;
  now?: () => number;
}

export class CallAudit {
  private readonly now: () => number;
  /** When the engine connection last dropped. */
  private engineLostAt: number | undefined;
  /** Since when rtpengine has not answered; undefined while it answers. */
  private mediaUnreachableSince: number | undefined;
  /** When rtpengine last failed to answer (a restart shows as a gap). */
  private mediaLastUnreachableAt: number | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: CallAuditDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The engine control connection dropped: calls in setup then are lost. */
  engineConnectionLost(): void {
    this.engineLostAt = this.now();
  }

  /** One audit; concurrent calls share the one in progress. */
  run(): Promise<void> {
    this.running ??= this.audit().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async audit(): Promise<void> {
    await this.auditEngine();
    await this.auditMedia();
  }

  private async auditEngine(): Promise<void> {
    const lostAt = this.engineLostAt;
    const calls = [...this.deps.calls].filter((call) => !call.over);
    if (lostAt !== undefined) {
      for (const call of calls) {
        if (!call.answered && call.startedAt <= lostAt) void call.hangUp('engine-lost', 'engine connection lost during setup');
      }
    }
    const answered = calls.filter((call) => call.answered);
    if (answered.length === 0) return;
    let held: Set<string>;
    try {
      held = await this.deps.engineDialogs(answered.flatMap((call) => call.dialogIds()));
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not ask the engine for its dialogs; engine audit skipped');
      return;
    }
    for (const call of answered) {
      const missing = call.dialogIds().filter((id) => !held.has(id));
      if (missing.length > 0 && call.answered) void call.hangUp('engine-lost', 'the engine no longer holds the call\'s dialogs');
    }
  }

  private async auditMedia(): Promise<void> {
    const now = this.now();
    // Only calls answered before the list was asked for can be judged by it.
    const judged = [...this.deps.calls].filter((call) => call.answered && (call.answerTime ?? now) < now);
    let held: Set<string>;
    try {
      held = new Set(await this.deps.anchor.callIds());
    } catch (error) {
      this.mediaUnreachableSince ??= now;
      this.mediaLastUnreachableAt = now;
      if (now - this.mediaUnreachableSince < this.deps.mediaLostAfterMs) return;
      this.deps.logger.error({ err: error }, 'rtpengine unreachable: ending the calls it carried');
      for (const call of this.deps.calls) {
        if (call.answered) void call.hangUp('media-lost', 'rtpengine unreachable');
      }
      return;
    }
    this.mediaUnreachableSince = undefined;
    const gone = judged.filter((call) => call.answered && !held.has(call.callId));
    if (gone.length === 0) return;
    // rtpengine's start, at the latest (its uptime is in whole seconds): a call set up before
    // it was lost in a restart. A call younger than a second that is gone cannot have timed
    // out for lack of media (the timeout is at least a second), so it was lost too.
    const startedAt = await this.deps.anchor.uptimeSeconds().then((uptime) => now - uptime * 1000, () => now);
    for (const call of gone) {
      const restarted = startedAt > call.startedAt ||
        (this.mediaLastUnreachableAt !== undefined && this.mediaLastUnreachableAt >= call.startedAt);
      void call.hangUp(restarted ? 'media-lost' : 'media-timeout',
        restarted ? 'rtpengine restarted without the call' : 'rtpengine ended the call: no media');
    }
  }
}
