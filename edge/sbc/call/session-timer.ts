// RFC 4028 session timers on each leg of a B2BUA call, so a call whose peer vanished
// without a BYE ends. Per leg, one side refreshes (re-INVITE or UPDATE before the
// interval runs out):
// - the peer refreshes: the engine ends the dialog when no refresh arrives in time (it
//   BYEs the peer and hands the SBC a BYE whose Reason says "Session timer expired");
// - the SBC refreshes: a refresh that fails (408, 481, no answer) ends the call here.
// The SBC refreshes whenever the peer does not offer to, including toward a peer that
// ignores session timers: an in-dialog UPDATE is valid to any RFC 3311 peer and a
// vanished one then shows. The negotiation is pure; SessionRefresher holds the timer.
import { parseMinSE, parseSessionExpires } from '../../engine/messages/headers/session-expires.js';

export interface SessionTimerSettings {
  /** Session interval the SBC asks for and grants. */
  seconds: number;
  /** Smallest interval accepted (Min-SE). */
  minSeconds: number;
}

export interface LegTimer {
  seconds: number;
  /** Who refreshes this leg's session. */
  refresher: 'sbc' | 'peer';
}

interface HeaderReader {
  get(name: string): string | undefined;
}

function supportsTimer(message: HeaderReader): boolean {
  const tokens = `${message.get('Supported') ?? ''},${message.get('Require') ?? ''}`;
  return tokens.split(',').some((token) => token.trim().toLowerCase() === 'timer');
}

/**
 * The A leg, where the SBC answers the INVITE: the interval is the caller's (never below
 * Min-SE) or ours; the caller refreshes when it said so or supports timers and named no
 * one, else the SBC does.
 */
export function answeringLegTimer(invite: HeaderReader, settings: SessionTimerSettings): LegTimer {
  const asked = parseSessionExpires(invite.get('Session-Expires') ?? '');
  const minSe = Math.max(settings.minSeconds, parseMinSE(invite.get('Min-SE') ?? '') ?? 0);
  const seconds = Math.max(minSe, asked?.deltaSeconds ?? settings.seconds);
  const callerRefreshes = asked?.refresher === 'uac' || (asked?.refresher === undefined && supportsTimer(invite));
  return { seconds, refresher: callerRefreshes ? 'peer' : 'sbc' };
}

/** Headers of the 2xx that answers the A leg's INVITE. */
export function answeringLegHeaders(timer: LegTimer): Record<string, string> {
  return timer.refresher === 'peer'
    ? { 'Session-Expires': `${timer.seconds};refresher=uac`, Require: 'timer' }
    : { 'Session-Expires': `${timer.seconds};refresher=uas` };
}

/** Headers of the B leg's INVITE: the SBC offers to refresh. */
export function placingLegHeaders(settings: SessionTimerSettings): Record<string, string> {
  return { Supported: 'timer', 'Session-Expires': `${settings.seconds};refresher=uac`, 'Min-SE': String(settings.minSeconds) };
}

/** The B leg, from the callee's 2xx: it refreshes only when it says refresher=uas. */
export function placingLegTimer(answer: HeaderReader, settings: SessionTimerSettings): LegTimer {
  const granted = parseSessionExpires(answer.get('Session-Expires') ?? '');
  if (granted === undefined) return { seconds: settings.seconds, refresher: 'sbc' };
  return { seconds: granted.deltaSeconds, refresher: granted.refresher === 'uas' ? 'peer' : 'sbc' };
}

/** Session-Expires for the SBC's 2xx to a refresh the peer sent (the peer is that transaction's UAC). */
export function refreshAnswerHeaders(timer: LegTimer): Record<string, string> {
  return { 'Session-Expires': `${timer.seconds};refresher=${timer.refresher === 'peer' ? 'uac' : 'uas'}` };
}

/** What a refresh needs from a dialog: an in-dialog request and its final status. */
export interface RefreshableDialog {
  request(opts: { method: string; headers?: Record<string, string> }): Promise<{ status: number }>;
}

/**
 * The SBC's refreshes of one leg: an UPDATE at half the interval (RFC 4028 §10), and
 * `onExpired` when one fails (408, 481, timeout, or no answer before the interval ends).
 */
export class SessionRefresher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly dialog: RefreshableDialog,
    private readonly leg: LegTimer,
    private readonly onExpired: (status: number | undefined) => void,
  ) {}

  start(): void {
    if (this.leg.refresher !== 'sbc' || this.stopped) return;
    this.timer = setTimeout(() => void this.refresh(), (this.leg.seconds * 1000) / 2);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private async refresh(): Promise<void> {
    // No answer before the session would expire counts as a failure.
    const deadline = new Promise<undefined>((resolve) => { setTimeout(() => resolve(undefined), (this.leg.seconds * 1000) / 2).unref(); });
    const sent = this.dialog.request({ method: 'UPDATE', headers: { 'Session-Expires': `${this.leg.seconds};refresher=uac` } })
      .then((response) => response.status, () => undefined);
    const status = await Promise.race([sent, deadline]);
    if (this.stopped) return;
    // 405/501: the peer takes no UPDATE, yet it answered, so it is alive; keep refreshing.
    if (status !== undefined && ((status >= 200 && status < 300) || status === 405 || status === 501 || status === 491)) {
      this.start();
      return;
    }
    this.onExpired(status);
  }
}
