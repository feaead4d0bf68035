// One call through the edge, inbound (carrier -> core) or outbound (core -> phone or
// carrier), as its CallPlan says. The session sequences the call and delegates: media to a
// MediaLeg (rtpengine), signalling to drachtio-srf's B2BUA, records to the CDR sink and
// the open-call journal. Every way out (failure, CANCEL, BYE either side, or an end the
// edge decides: session timer, media lost, maximum duration, engine lost) releases the
// media and the plan's admission and writes the stop record exactly once, with its cause.
import type { Logger } from 'pino';
import type { MediaAnchor } from '../../../media/session/media-anchor.js';
import { summariseAudioOffer } from '../../../media/sdp/audio-offer-summary.js';
import type { PopConfig } from '../../../platform/config/pop-schema.js';
import type { SbcMetrics } from '../sbc-metrics.js';
import type { SbcDialog, SbcRequest, SbcResponse, SbcSipResponse, SbcSrf } from '../srf-types.js';
import { Q850, reasonHeader, type CallEndCause } from './call-end-cause.js';
import type { CdrRecord, CdrSink } from './cdr-writer.js';
import type { CallPlan } from './call-plan.js';
import { MediaLeg, type MediaSide } from './media-leg.js';
import type { OpenCallJournal } from './open-call-journal.js';
import {
  SessionRefresher, answeringLegHeaders, answeringLegTimer, placingLegHeaders, placingLegTimer, refreshAnswerHeaders,
  type LegTimer, type SessionTimerSettings,
} from './session-timer.js';

export interface CallSessionDeps {
  srf: SbcSrf;
  anchor: MediaAnchor;
  pop: PopConfig;
  cdr: CdrSink;
  journal?: OpenCallJournal;
  metrics: SbcMetrics;
  logger: Logger;
  sessionTimers: SessionTimerSettings;
  /** Called once when the session has ended (the live-call table forgets it). */
  onEnded?: (session: CallSession) => void;
  now?: () => number;
}

type Phase = 'setup' | 'answered' | 'ended';

export class CallSession {
  readonly callId: string;
  readonly startedAt: number;
  private readonly logger: Logger;
  private readonly media: MediaLeg;
  private readonly now: () => number;
  private phase: Phase = 'setup';
  private answeredAt: number | undefined;
  private dialogs: { uas: SbcDialog; uac: SbcDialog } | undefined;
  private timers: Partial<Record<MediaSide, LegTimer>> = {};
  private readonly refreshers: SessionRefresher[] = [];
  private maxDurationTimer: NodeJS.Timeout | undefined;
  private bLegCallId: string | undefined;
  private codec: string | undefined;
  private srtpSuite: string | undefined;

  constructor(
    private readonly req: SbcRequest,
    private readonly res: SbcResponse,
    private readonly plan: CallPlan,
    private readonly deps: CallSessionDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    this.callId = req.get('Call-ID') ?? '';
    this.logger = deps.logger.child({ callId: this.callId, route: plan.route, direction: plan.direction });
    this.media = new MediaLeg(deps.anchor, this.callId, plan.profiles, fromTagOf(req));
  }

  get route(): string {
    return this.plan.route;
  }

  get answered(): boolean {
    return this.phase === 'answered';
  }

  /** When the call was answered (ms, the session's clock). */
  get answerTime(): number | undefined {
    return this.answeredAt;
  }

  get over(): boolean {
    return this.phase === 'ended';
  }

  /** The engine's ids of both dialogs, once answered. */
  dialogIds(): string[] {
    return this.dialogs ? [this.dialogs.uas.id, this.dialogs.uac.id] : [];
  }

  private get labels(): { trunk: string; direction: CallPlan['direction'] } {
    return { trunk: this.plan.route, direction: this.plan.direction };
  }

  async run(): Promise<void> {
    this.deps.metrics.attempts.inc(this.labels);
    this.deps.metrics.activeCalls.inc({ trunk: this.plan.route });
    this.record({ event: 'attempt' });
    // A CANCEL while the anchor works on the offer: the engine has answered it (and the
    // INVITE with 487); the B leg must not be started.
    let cancelled = false;
    this.req.on('cancel', () => { cancelled = true; });
    if (!this.req.body) {
      // Offerless INVITEs (late offer) are not anchored yet: the anchor needs an offer.
      this.res.send(488, 'Offer Required');
      await this.fail(488, 'refused', 'Offer Required');
      return;
    }
    let calleeOffer: string;
    try {
      calleeOffer = await this.media.offer('caller', this.req.body);
    } catch (error) {
      this.logger.error({ err: error }, 'media anchor refused the offer');
      if (!cancelled && this.phase === 'setup') this.res.send(503, 'Media Unavailable');
      await this.fail(cancelled ? 487 : 503, cancelled ? 'cancelled' : 'media-unavailable', cancelled ? 'Request Terminated' : 'Media Unavailable');
      return;
    }
    if (cancelled || this.phase !== 'setup') {
      await this.fail(487, 'cancelled', 'Request Terminated');
      return;
    }
    const callerTimer = answeringLegTimer(this.req, this.deps.sessionTimers);
    let dialogs: { uas: SbcDialog; uac: SbcDialog } | undefined;
    // A trunk's gateways in order: a gateway that fails (timeout, 5xx) passes the call to the next.
    const targets = [this.plan.targetUri, ...(this.plan.fallbackUris ?? [])];
    for (const [index, target] of targets.entries()) {
      const last = index === targets.length - 1;
      try {
        dialogs = await this.deps.srf.createB2BUA(this.req, this.res, target, {
          localSdpB: calleeOffer,
          localSdpA: (sdp: string, response: SbcSipResponse) => this.answerFromCallee(sdp, response),
          headers: { ...this.plan.headers, ...placingLegHeaders(this.deps.sessionTimers) },
          responseHeaders: (response: SbcSipResponse) =>
            (response.status >= 200 && response.status < 300 ? answeringLegHeaders(callerTimer) : {}),
          passFailure: last,
        }, {
          cbRequest: (_error: unknown, sent?: SbcRequest) => { this.bLegCallId = sent?.get('Call-ID'); },
          cbFinalizedUac: (uac: SbcDialog) => { this.bLegCallId ??= uac.sip.callId; },
        });
        break;
      } catch (error) {
        const status = statusOf(error);
        if (!last && isGatewayFailure(status) && !cancelled && !this.res.finalResponseSent && this.phase === 'setup') {
          this.logger.info({ status, next: index + 1 }, 'gateway failed; trying the next');
          continue;
        }
        if (!last && !this.res.finalResponseSent) this.res.send(status, reasonOf(error));
        this.logger.info({ status }, 'call not answered');
        await this.fail(status, status === 487 ? 'cancelled' : 'not-answered', reasonOf(error));
        return;
      }
    }
    if (dialogs === undefined) return;
    if (this.phase !== 'setup') {
      // The edge ended the call (engine lost) while it was being set up.
      void dialogs.uas.destroy().catch(() => undefined);
      void dialogs.uac.destroy().catch(() => undefined);
      return;
    }
    this.phase = 'answered';
    this.dialogs = dialogs;
    this.bLegCallId = dialogs.uac.sip.callId;
    this.answeredAt = this.now();
    this.timers = { caller: callerTimer, callee: this.timers.callee ?? placingLegTimer({ get: () => undefined }, this.deps.sessionTimers) };
    this.deps.metrics.answers.inc(this.labels);
    this.deps.metrics.setupSeconds.observe(this.labels, (this.answeredAt - this.startedAt) / 1000);
    this.record({ event: 'start', setupMs: this.answeredAt - this.startedAt });
    this.logger.info('call answered');
    this.wire(dialogs.uas, dialogs.uac);
    this.startTimers(dialogs);
  }

  /**
   * The edge ends the call: BYE both sides with a Reason naming the cause (or, during
   * setup, give up on it), then release everything and write the stop.
   */
  async hangUp(cause: CallEndCause, reason: string): Promise<void> {
    if (this.phase === 'ended') return;
    this.logger.warn({ cause, reason }, 'the edge is ending the call');
    if (this.phase === 'setup') {
      if (!this.res.finalResponseSent) {
        try {
          this.res.send(503, 'Service Unavailable');
        } catch {
          // no engine connection to answer on
        }
      }
      await this.fail(503, cause, reason);
      return;
    }
    const headers = { Reason: reasonHeader(cause) };
    void this.dialogs?.uas.destroy({ headers }).catch(() => undefined);
    void this.dialogs?.uac.destroy({ headers }).catch(() => undefined);
    await this.finish({ cause, endedBy: 'edge', reason });
  }

  private async answerFromCallee(sdp: string, response: SbcSipResponse): Promise<string> {
    const tag = response.getParsedHeader('To').params?.tag;
    if (tag !== undefined) this.media.setCalleeTag(tag);
    this.timers.callee = placingLegTimer(response, this.deps.sessionTimers);
    const answer = await this.media.answer('callee', sdp);
    this.noteMedia(sdp, answer);
    return answer;
  }

  /** Codec and carrier SDES suite from the two answers (only the carrier side carries crypto). */
  private noteMedia(calleeAnswer: string, callerAnswer: string): void {
    const callee = summariseAudioOffer(calleeAnswer);
    const caller = summariseAudioOffer(callerAnswer);
    this.codec = [...callee.codecs, ...caller.codecs].find((codec) => codec !== 'telephone-event' && codec !== 'CN');
    this.srtpSuite = caller.cryptoSuites[0] ?? callee.cryptoSuites[0];
  }

  private wire(uas: SbcDialog, uac: SbcDialog): void {
    uas.on('destroy', (bye, reason) => { void uac.destroy(byeHeaders(bye)).catch(() => undefined); void this.remoteEnd('caller', bye, reason); });
    uac.on('destroy', (bye, reason) => { void uas.destroy(byeHeaders(bye)).catch(() => undefined); void this.remoteEnd('callee', bye, reason); });
    uas.on('modify', (req, res) => void this.reoffer('caller', req, res, uac));
    uac.on('modify', (req, res) => void this.reoffer('callee', req, res, uas));
    uas.on('update', (req, res) => void this.update('caller', req, res, uac));
    uac.on('update', (req, res) => void this.update('callee', req, res, uas));
  }

  private startTimers(dialogs: { uas: SbcDialog; uac: SbcDialog }): void {
    const legs: [MediaSide, SbcDialog][] = [['caller', dialogs.uas], ['callee', dialogs.uac]];
    for (const [side, dialog] of legs) {
      const timer = this.timers[side];
      if (timer === undefined) continue;
      const refresher = new SessionRefresher(dialog, timer, (status) => {
        void this.hangUp('session-timer', `session refresh toward the ${side} failed (${status ?? 'no answer'})`);
      });
      refresher.start();
      this.refreshers.push(refresher);
    }
    const maxSeconds = this.deps.pop.trunks.find((trunk) => trunk.name === this.plan.route)?.maxCallSeconds;
    if (maxSeconds !== undefined) {
      this.maxDurationTimer = setTimeout(() => void this.hangUp('max-duration', `maximum call duration ${maxSeconds} s`), maxSeconds * 1000);
      this.maxDurationTimer.unref();
    }
  }

  /** An UPDATE (RFC 3311): with an offer, carried through the anchor like a re-INVITE; without, answered here (a session refresh). */
  private async update(from: MediaSide, req: SbcRequest, res: SbcResponse, toward: SbcDialog): Promise<void> {
    const refreshed = this.refreshHeaders(from);
    if (!req.body) {
      res.send(200, { headers: refreshed });
      return;
    }
    try {
      const offer = await this.media.offer(from, req.body);
      const response = await toward.request({ method: 'UPDATE', body: offer, headers: { 'Content-Type': 'application/sdp' } });
      if (response.status !== 200 || !response.body) {
        res.send(response.status >= 300 ? response.status : 488);
        return;
      }
      const back = await this.media.answer(from === 'caller' ? 'callee' : 'caller', response.body);
      res.send(200, { body: back, headers: { 'Content-Type': 'application/sdp', ...refreshed } });
    } catch (error) {
      this.logger.warn({ err: error }, 'UPDATE failed');
      res.send(488);
    }
  }

  /** A re-INVITE's offer from one side, carried through the anchor to the other and back. */
  private async reoffer(from: MediaSide, req: SbcRequest, res: SbcResponse, toward: SbcDialog): Promise<void> {
    try {
      const offer = await this.media.offer(from, req.body);
      const answer = await toward.modify(offer);
      const back = await this.media.answer(from === 'caller' ? 'callee' : 'caller', answer);
      res.send(200, { body: back, headers: { 'Content-Type': 'application/sdp', ...this.refreshHeaders(from) } });
    } catch (error) {
      this.logger.warn({ err: error }, 're-INVITE failed');
      res.send(statusOf(error) === 500 ? 488 : statusOf(error));
    }
  }

  /** Session-Expires for the 2xx to a request from `side` (re-arms the engine's watch of a peer refresher). */
  private refreshHeaders(side: MediaSide): Record<string, string> {
    const timer = this.timers[side];
    return timer === undefined ? {} : refreshAnswerHeaders(timer);
  }

  private async fail(status: number, cause: CallEndCause, reason: string): Promise<void> {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.deps.metrics.failures.inc({ ...this.labels, code: String(status) });
    this.record({ event: 'stop', resultCode: status, reason, cause, q850: Q850[cause], setupMs: this.now() - this.startedAt });
    await this.cleanUp();
  }

  /** A BYE from a side (or one the engine generated on its behalf, e.g. session timer expiry). */
  private async remoteEnd(side: MediaSide, bye: SbcRequest | undefined, reason: string | undefined): Promise<void> {
    const byEngine = bye !== undefined && (bye as { meta?: { source?: string } }).meta?.source === 'application';
    const sessionExpired = byEngine && /session timer/i.test(reason ?? '');
    await this.finish({
      cause: sessionExpired ? 'session-timer' : 'normal-clearing',
      endedBy: sessionExpired ? 'edge' : side,
      reason: sessionExpired ? `${side} did not refresh its session` : (bye?.get('Reason') ?? 'BYE'),
    });
  }

  private async finish(end: { cause: CallEndCause; endedBy: 'caller' | 'callee' | 'edge'; reason: string }): Promise<void> {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    const now = this.now();
    const talkMs = now - (this.answeredAt ?? now);
    this.deps.metrics.durationSeconds.observe(this.labels, talkMs / 1000);
    this.deps.metrics.endings.inc({ ...this.labels, cause: end.cause });
    this.record({
      event: 'stop', resultCode: 200, endedBy: end.endedBy, cause: end.cause, q850: Q850[end.cause], reason: end.reason,
      setupMs: (this.answeredAt ?? now) - this.startedAt, talkSeconds: Math.round(talkMs / 100) / 10,
    });
    this.logger.info({ endedBy: end.endedBy, cause: end.cause }, 'call ended');
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    for (const refresher of this.refreshers) refresher.stop();
    if (this.maxDurationTimer !== undefined) clearTimeout(this.maxDurationTimer);
    this.plan.release();
    this.deps.metrics.activeCalls.dec({ trunk: this.plan.route });
    this.deps.onEnded?.(this);
    await this.media.release();
  }

  private record(fields: Pick<CdrRecord, 'event'> & Partial<CdrRecord>): void {
    const port = Number(this.req.source_port);
    const record: CdrRecord = {
      callId: this.callId, pop: this.deps.pop.pop.id, trunk: this.plan.route, direction: this.plan.direction,
      caller: this.plan.caller, dialledNumber: this.plan.dialledNumber, at: new Date(this.now()).toISOString(),
      sourceAddress: this.req.source_address, ...(Number.isInteger(port) ? { sourcePort: port } : {}),
      transport: this.req.protocol.toLowerCase(),
      ...(this.bLegCallId !== undefined ? { bLegCallId: this.bLegCallId } : {}),
      ...(this.codec !== undefined ? { codec: this.codec } : {}),
      ...(this.srtpSuite !== undefined ? { srtpSuite: this.srtpSuite } : {}),
      ...fields,
    };
    this.deps.cdr.write(record);
    if (record.event === 'stop') this.deps.journal?.closed(record);
    else this.deps.journal?.opened(record);
  }
}

function fromTagOf(req: SbcRequest): string {
  const from = req.getParsedHeader('From') as { params?: Record<string, string> } | undefined;
  return from?.params?.tag ?? '';
}

/** The BYE toward the other side carries the Reason of the one received, if any. */
function byeHeaders(bye: SbcRequest | undefined): Record<string, unknown> {
  const reason = bye?.get('Reason');
  return reason !== undefined ? { headers: { Reason: reason } } : {};
}

/** A failure of the gateway rather than of the call: worth the next gateway (RFC 3263 §4.3 style failover). */
function isGatewayFailure(status: number): boolean {
  return status === 408 || (status >= 500 && status < 600);
}

/** drachtio-srf rejects with a SipError carrying the final status; CANCEL gives 487. */
function statusOf(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') return error.status;
  return 500;
}

function reasonOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'reason' in error && typeof error.reason === 'string') return error.reason;
  return error instanceof Error ? error.message : String(error);
}
