// One call through the edge, inbound (carrier -> core) or outbound (core -> phone or
// carrier), as its CallPlan says. The session sequences the call and delegates: media to a
// MediaLeg (rtpengine), signalling to drachtio-srf's B2BUA, records to the CDR sink. Every
// way out (failure, CANCEL, BYE either side) releases the media and the plan's admission
// exactly once.
import type { Logger } from 'pino';
import type { MediaAnchor } from '../../../media/session/media-anchor.js';
import type { PopConfig } from '../../../platform/config/pop-schema.js';
import type { SbcMetrics } from '../sbc-metrics.js';
import type { SbcDialog, SbcRequest, SbcResponse, SbcSipResponse, SbcSrf } from '../srf-types.js';
import type { CdrRecord, CdrSink } from './cdr-writer.js';
import type { CallPlan } from './call-plan.js';
import { MediaLeg, type MediaSide } from './media-leg.js';

export interface CallSessionDeps {
  srf: SbcSrf;
  anchor: MediaAnchor;
  pop: PopConfig;
  cdr: CdrSink;
  metrics: SbcMetrics;
  logger: Logger;
  now?: () => number;
}

export class CallSession {
  private readonly logger: Logger;
  private readonly media: MediaLeg;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly callId: string;
  private answeredAt: number | undefined;
  private ended = false;

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
      await this.fail(488);
      return;
    }
    let calleeOffer: string;
    try {
      calleeOffer = await this.media.offer('caller', this.req.body);
    } catch (error) {
      this.logger.error({ err: error }, 'media anchor refused the offer');
      if (!cancelled) this.res.send(503, 'Media Unavailable');
      await this.fail(cancelled ? 487 : 503);
      return;
    }
    if (cancelled) {
      await this.fail(487);
      return;
    }
    let dialogs: { uas: SbcDialog; uac: SbcDialog };
    try {
      dialogs = await this.deps.srf.createB2BUA(this.req, this.res, this.plan.targetUri, {
        localSdpB: calleeOffer,
        localSdpA: (sdp: string, response: SbcSipResponse) => this.answerFromCallee(sdp, response),
        headers: this.plan.headers,
      });
    } catch (error) {
      const status = statusOf(error);
      this.logger.info({ status }, 'call not answered');
      await this.fail(status);
      return;
    }
    this.answeredAt = this.now();
    this.deps.metrics.answers.inc(this.labels);
    this.record({ event: 'start', setupMs: this.answeredAt - this.startedAt });
    this.logger.info('call answered');
    this.wire(dialogs.uas, dialogs.uac);
  }

  private async answerFromCallee(sdp: string, response: SbcSipResponse): Promise<string> {
    const tag = response.getParsedHeader('To').params?.tag;
    if (tag !== undefined) this.media.setCalleeTag(tag);
    return this.media.answer('callee', sdp);
  }

  private wire(uas: SbcDialog, uac: SbcDialog): void {
    uas.on('destroy', () => { void uac.destroy().catch(() => undefined); void this.end('caller'); });
    uac.on('destroy', () => { void uas.destroy().catch(() => undefined); void this.end('callee'); });
    uas.on('modify', (req, res) => void this.reoffer('caller', req, res, uac));
    uac.on('modify', (req, res) => void this.reoffer('callee', req, res, uas));
    uas.on('update', (req, res) => void this.update('caller', req, res, uac));
    uac.on('update', (req, res) => void this.update('callee', req, res, uas));
  }

  /** An UPDATE (RFC 3311): with an offer, carried through the anchor like a re-INVITE; without, answered here. */
  private async update(from: MediaSide, req: SbcRequest, res: SbcResponse, toward: SbcDialog): Promise<void> {
    if (!req.body) {
      res.send(200);
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
      res.send(200, { body: back, headers: { 'Content-Type': 'application/sdp' } });
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
      res.send(200, { body: back, headers: { 'Content-Type': 'application/sdp' } });
    } catch (error) {
      this.logger.warn({ err: error }, 're-INVITE failed');
      res.send(statusOf(error) === 500 ? 488 : statusOf(error));
    }
  }

  private async fail(status: number): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.deps.metrics.failures.inc({ ...this.labels, code: String(status) });
    this.record({ event: 'stop', resultCode: status, setupMs: this.now() - this.startedAt });
    await this.cleanUp();
  }

  private async end(endedBy: 'caller' | 'callee'): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const now = this.now();
    this.record({
      event: 'stop', resultCode: 200, endedBy, setupMs: (this.answeredAt ?? now) - this.startedAt,
      talkSeconds: Math.round((now - (this.answeredAt ?? now)) / 100) / 10,
    });
    this.logger.info({ endedBy }, 'call ended');
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    this.plan.release();
    this.deps.metrics.activeCalls.dec({ trunk: this.plan.route });
    await this.media.release();
  }

  private record(fields: Pick<CdrRecord, 'event'> & Partial<CdrRecord>): void {
    this.deps.cdr.write({
      callId: this.callId, pop: this.deps.pop.pop.id, trunk: this.plan.route, direction: this.plan.direction,
      caller: this.plan.caller, dialledNumber: this.plan.dialledNumber, at: new Date(this.now()).toISOString(),
      ...fields,
    });
  }
}

function fromTagOf(req: SbcRequest): string {
  const from = req.getParsedHeader('From') as { params?: Record<string, string> } | undefined;
  return from?.params?.tag ?? '';
}

/** drachtio-srf rejects with a SipError carrying the final status; CANCEL gives 487. */
function statusOf(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') return error.status;
  return 500;
}
