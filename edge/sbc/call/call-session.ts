// One inbound call: carrier -> edge -> routing core. The session sequences the call and
// delegates: media to a MediaLeg (rtpengine), signalling to drachtio-srf's B2BUA, records
// to the CDR sink. Every way out (failure, CANCEL, BYE either side) releases the media
// and the trunk's call slot exactly once.
import type { Logger } from 'pino';
import type { MediaAnchor } from '../../../media/session/media-anchor.js';
import type { PopConfig, TrunkConfig } from '../../../platform/config/pop-schema.js';
import type { SbcMetrics } from '../sbc-metrics.js';
import type { SbcDialog, SbcRequest, SbcResponse, SbcSipResponse, SbcSrf } from '../srf-types.js';
import type { CdrRecord, CdrSink } from './cdr-writer.js';
import { MediaLeg, carrierProfile, insideProfile, type MediaSide } from './media-leg.js';
import { coreLegContact, coreRequestUri, trustedHeaders } from './trusted-headers.js';

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
    private readonly trunk: TrunkConfig,
    private readonly releaseAdmission: () => void,
    private readonly deps: CallSessionDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    this.callId = req.get('Call-ID') ?? '';
    this.logger = deps.logger.child({ callId: this.callId, trunk: trunk.name });
    const carrierTag = fromTagOf(req);
    this.media = new MediaLeg(deps.anchor, this.callId, { carrier: carrierProfile(trunk), inside: insideProfile(trunk) }, carrierTag);
  }

  async run(): Promise<void> {
    this.deps.metrics.attempts.inc({ trunk: this.trunk.name, direction: 'inbound' });
    this.deps.metrics.activeCalls.inc({ trunk: this.trunk.name });
    this.record({ event: 'attempt' });
    let insideOffer: string;
    try {
      insideOffer = await this.media.offer('carrier', this.req.body);
    } catch (error) {
      this.logger.error({ err: error }, 'media anchor refused the offer');
      this.res.send(503, 'Media Unavailable');
      await this.fail(503);
      return;
    }
    const uri = coreRequestUri(this.deps.pop.routingCore.sipUri, this.req.calledNumber);
    let dialogs: { uas: SbcDialog; uac: SbcDialog };
    try {
      dialogs = await this.deps.srf.createB2BUA(this.req, this.res, uri, {
        localSdpB: insideOffer,
        localSdpA: (sdp: string, response: SbcSipResponse) => this.answerFromInside(sdp, response),
        headers: {
          ...trustedHeaders({
            trunk: this.trunk.name, pop: this.deps.pop.pop.id, dialledNumber: this.req.calledNumber, caller: this.req.callingNumber,
          }),
          ...contactHeader(coreLegContact(this.deps.pop.routingCore.sipUri, this.deps.pop.sip.listeners)),
        },
      });
    } catch (error) {
      const status = statusOf(error);
      this.logger.info({ status }, 'call not answered');
      await this.fail(status);
      return;
    }
    this.answeredAt = this.now();
    this.deps.metrics.answers.inc({ trunk: this.trunk.name, direction: 'inbound' });
    this.record({ event: 'start', setupMs: this.answeredAt - this.startedAt });
    this.logger.info('call answered');
    this.wire(dialogs.uas, dialogs.uac);
  }

  private async answerFromInside(sdp: string, response: SbcSipResponse): Promise<string> {
    const tag = response.getParsedHeader('To').params?.tag;
    if (tag !== undefined) this.media.setInsideTag(tag);
    return this.media.answer('inside', sdp);
  }

  private wire(uas: SbcDialog, uac: SbcDialog): void {
    uas.on('destroy', () => { void uac.destroy().catch(() => undefined); void this.end('caller'); });
    uac.on('destroy', () => { void uas.destroy().catch(() => undefined); void this.end('callee'); });
    uas.on('modify', (req, res) => void this.reoffer('carrier', req, res, uac));
    uac.on('modify', (req, res) => void this.reoffer('inside', req, res, uas));
  }

  /** A re-INVITE's offer from one side, carried through the anchor to the other and back. */
  private async reoffer(from: MediaSide, req: SbcRequest, res: SbcResponse, toward: SbcDialog): Promise<void> {
    try {
      const offer = await this.media.offer(from, req.body);
      const answer = await toward.modify(offer);
      const back = await this.media.answer(from === 'carrier' ? 'inside' : 'carrier', answer);
      res.send(200, { body: back, headers: { 'Content-Type': 'application/sdp' } });
    } catch (error) {
      this.logger.warn({ err: error }, 're-INVITE failed');
      res.send(statusOf(error) === 500 ? 488 : statusOf(error));
    }
  }

  private async fail(status: number): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.deps.metrics.failures.inc({ trunk: this.trunk.name, direction: 'inbound', code: String(status) });
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
    this.releaseAdmission();
    this.deps.metrics.activeCalls.dec({ trunk: this.trunk.name });
    await this.media.release();
  }

  private record(fields: Pick<CdrRecord, 'event'> & Partial<CdrRecord>): void {
    this.deps.cdr.write({
      callId: this.callId, pop: this.deps.pop.pop.id, trunk: this.trunk.name, direction: 'inbound',
      caller: this.req.callingNumber, dialledNumber: this.req.calledNumber, at: new Date(this.now()).toISOString(),
      ...fields,
    });
  }
}

function contactHeader(contact: string | undefined): Record<string, string> {
  return contact === undefined ? {} : { Contact: contact };
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
