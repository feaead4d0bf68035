// MediaAnchor over rtpengine's ng protocol (npm rtpengine-client, UDP). One client per
// anchor; every command goes to the same rtpengine.
import { Client, type NgResponse } from 'rtpengine-client';
import { pino, type Logger } from 'pino';
import { answerFlags, offerFlags } from './ng-flags.js';
import { hideOriginIdentity } from '../sdp/origin-line.js';
import { hideSessionDescription } from '../sdp/session-lines.js';
import {
  MediaAnchorError, type MediaAnchor, type MediaAnswer, type MediaCallRef, type MediaCallState, type MediaOffer,
  type MediaStreamState,
} from './media-anchor.js';

/** The parts of an ng query's per-party dictionary that are read. */
interface NgParty {
  medias?: {
    protocol?: string;
    streams?: {
      'local port'?: number;
      endpoint?: { address?: string; port?: number };
      'crypto suite'?: string;
      flags?: string[];
      stats?: { packets?: number };
    }[];
  }[];
}

export interface RtpengineAnchorOptions {
  ngAddress: string;
  ngPort: number;
  /** Per-command timeout in ms, over all its attempts. */
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * How many times an ng command is sent before it fails. ng runs over UDP, and rtpengine's
 * control socket drops requests when its receive queue is full (seen under load in
 * bench/sbc): resending turns a lost offer into a short delay instead of a 503. Every
 * command we resend is safe to repeat: a repeated offer/answer renegotiates the same call,
 * a repeated delete finds the call gone, query and list only read.
 */
const NG_ATTEMPTS = 4;

export class RtpengineAnchor implements MediaAnchor {
  private readonly client: Client;
  private readonly target: { host: string; port: number };
  private readonly logger: Logger;

  constructor(options: RtpengineAnchorOptions) {
    // rtpengine-client binds an IPv4 socket; keep loopback traffic on loopback.
    this.client = new Client({
      timeout: Math.ceil((options.timeoutMs ?? 2000) / NG_ATTEMPTS),
      ...(options.ngAddress.startsWith('127.') ? { localAddress: '127.0.0.1' } : {}),
    });
    // Late answers after a timeout are reported as events; the command already failed.
    this.client.on('error', () => {});
    this.target = { host: options.ngAddress, port: options.ngPort };
    this.logger = options.logger ?? pino({ level: 'silent' });
  }

  async offer(offer: MediaOffer): Promise<string> {
    const response = await this.command('offer', () => this.client.offer(this.target, {
      'call-id': offer.callId, 'from-tag': offer.fromTag, sdp: offer.sdp, ...offerFlags(offer.sdp, offer.toward),
    }));
    return sdpOf('offer', response);
  }

  async answer(answer: MediaAnswer): Promise<string> {
    const response = await this.command('answer', () => this.client.answer(this.target, {
      'call-id': answer.callId, 'from-tag': answer.fromTag, 'to-tag': answer.toTag, sdp: answer.sdp,
      ...answerFlags(answer.toward),
    }));
    return sdpOf('answer', response);
  }

  async delete(ref: MediaCallRef): Promise<void> {
    try {
      await this.command('delete', () => this.client.delete(this.target, {
        'call-id': ref.callId, ...(ref.fromTag !== undefined ? { 'from-tag': ref.fromTag } : {}), 'delete delay': 0,
      }));
    } catch (error) {
      // "Unknown call-id" means it is already gone, which is what delete wants.
      this.logger.debug({ err: error, callId: ref.callId }, 'rtpengine delete did not apply');
    }
  }

  async query(ref: MediaCallRef): Promise<MediaCallState | undefined> {
    let response: NgResponse;
    try {
      response = await this.command('query', () => this.client.query(this.target, {
        'call-id': ref.callId, ...(ref.fromTag !== undefined ? { 'from-tag': ref.fromTag } : {}),
      }));
    } catch (error) {
      if (error instanceof MediaAnchorError && /unknown call/i.test(error.reason)) return undefined;
      throw error;
    }
    const created = typeof response.created === 'number' ? Math.round(Date.now() / 1000) - response.created : undefined;
    const packetsByTag: Record<string, number> = {};
    const streams: MediaStreamState[] = [];
    for (const [tag, party] of Object.entries((response.tags ?? {}) as Record<string, NgParty>)) {
      packetsByTag[tag] = 0;
      for (const media of party.medias ?? []) {
        for (const stream of media.streams ?? []) {
          const packets = stream.stats?.packets ?? 0;
          packetsByTag[tag] += packets;
          streams.push({
            tag, protocol: media.protocol ?? '', rtcp: (stream.flags ?? []).includes('RTCP'),
            localPort: stream['local port'] ?? 0, remoteAddress: stream.endpoint?.address ?? '', remotePort: stream.endpoint?.port ?? 0,
            ...(stream['crypto suite'] !== undefined ? { cryptoSuite: stream['crypto suite'] } : {}), packets,
          });
        }
      }
    }
    return { createdSeconds: created, packetsByTag, streams };
  }

  async activeCalls(): Promise<number> {
    return (await this.callIds()).length;
  }

  async callIds(): Promise<string[]> {
    const response = await this.command('list', () => this.client.list(this.target, { limit: 100000 }));
    return Array.isArray(response.calls) ? response.calls.map(String) : [];
  }

  async uptimeSeconds(): Promise<number> {
    const response = await this.command('statistics', () => this.client.statistics(this.target, {}));
    const stats = response.statistics as { totalstatistics?: { uptime?: string | number } } | undefined;
    const uptime = Number(stats?.totalstatistics?.uptime);
    if (!Number.isFinite(uptime)) throw new MediaAnchorError('statistics', 'response has no uptime');
    return uptime;
  }

  close(): void {
    this.client.close();
  }

  private async command(name: string, send: () => Promise<NgResponse>): Promise<NgResponse> {
    let response: NgResponse | undefined;
    for (let attempt = 1; response === undefined; attempt++) {
      try {
        response = await send();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (!/timeout/i.test(reason) || attempt >= NG_ATTEMPTS) throw new MediaAnchorError(name, reason);
        this.logger.warn({ command: name, attempt }, 'rtpengine did not answer in time; resending');
      }
    }
    if (response.result !== 'ok') {
      throw new MediaAnchorError(name, response['error-reason'] ?? `result ${String(response.result)}`);
    }
    return response;
  }
}

/** The rewritten SDP, with the o= line's user and session id hidden as well as its address, and s=/i=/u=/e=/p= neutralised. */
function sdpOf(command: string, response: NgResponse): string {
  if (typeof response.sdp !== 'string') throw new MediaAnchorError(command, 'response has no SDP');
  return hideSessionDescription(hideOriginIdentity(response.sdp, ORIGIN_USERNAME));
}

const ORIGIN_USERNAME = 'vpop';
