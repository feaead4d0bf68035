// CallMedia on rtpengine 10.5 (notes/rtpengine.md): `play media` has no end event, so a
// play is timed from the duration rtpengine reports; digits come from the DTMF log
// socket; recording has no pause, so each recorded span is its own pcap segment and the
// recording store joins them when the recording ends.
import { pino, type Logger } from 'pino';
import type { NgResponse } from 'rtpengine-client';
import { DigitCollection, type CollectResult } from '../dtmf/digit-collection.js';
import type { DtmfEvent } from '../dtmf/dtmf-log-event.js';
import { DtmfLogListener } from '../dtmf/dtmf-log-listener.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import type { RecordingStore, RecordingSummary } from '../recording/recording-store.js';
import type { CallMedia, CollectOptions, MediaCall, PartyRole, PlayEnd, PlayOptions } from './call-media.js';
import { NgMediaCommands } from './ng-media-commands.js';

export interface RtpengineCallMediaOptions {
  ngAddress: string;
  ngPort: number;
  /** Where to receive rtpengine's DTMF log (its --dtmf-log-dest); port 0 picks a free one. */
  dtmfLog: { address: string; port: number };
  prompts: PromptLibrary;
  recordings: RecordingStore;
  logger?: Logger;
}

interface ActivePlay {
  bargeIn: boolean;
  timer: NodeJS.Timeout | undefined;
  end(reason: PlayEnd): void;
}

interface ActiveCollect {
  collection: DigitCollection;
  timer: NodeJS.Timeout | undefined;
  feed(digit: string): void;
  end(reason: 'hangup' | 'stopped'): void;
}

interface PartyState {
  play?: ActivePlay;
  collect?: ActiveCollect;
  /** Digits that came while nothing collected (a barge-in, typing ahead). */
  typeAhead: string[];
  /** In a sensitive step: DTMF forwarding to the other party is blocked. */
  sensitive: boolean;
}

interface CallState {
  call: MediaCall;
  parties: Record<PartyRole, PartyState>;
  recording?: { id: string; paused: boolean };
  /** Recording commands of a call run one after another, in the order asked. */
  recordingQueue: Promise<unknown>;
  ended: boolean;
}

const ROLES: readonly PartyRole[] = ['caller', 'agent'];
const TYPE_AHEAD_LIMIT = 32;
/** A looping prompt is asked to repeat for this long; it is stopped long before. */
const LOOP_MS = 24 * 3600 * 1000;

function other(role: PartyRole): PartyRole {
  return role === 'caller' ? 'agent' : 'caller';
}

export class RtpengineCallMedia implements CallMedia {
  private readonly calls = new Map<string, CallState>();
  private readonly logger: Logger;

  private constructor(
    private readonly ng: NgMediaCommands,
    private readonly prompts: PromptLibrary,
    private readonly recordings: RecordingStore,
    private dtmf: DtmfLogListener | undefined,
    logger: Logger | undefined,
  ) {
    this.logger = logger ?? pino({ level: 'silent' });
  }

  /**
   * Binds the DTMF log socket and finishes, as partial, the recordings a previous process
   * left unfinished (it died mid-call), before any new call is taken.
   */
  static async start(options: RtpengineCallMediaOptions): Promise<RtpengineCallMedia> {
    const ng = new NgMediaCommands({ ngAddress: options.ngAddress, ngPort: options.ngPort });
    const media = new RtpengineCallMedia(ng, options.prompts, options.recordings, undefined, options.logger);
    media.dtmf = await DtmfLogListener.listen(
      { address: options.dtmfLog.address, port: options.dtmfLog.port, rtpengineAddress: options.ngAddress },
      (event) => media.onDigit(event),
    );
    await options.recordings.recoverUnfinished(async (callId) => { await ng.send('stopRecording', { 'call-id': callId }); });
    return media;
  }

  /** The UDP port rtpengine must send its DTMF log to. */
  get dtmfLogPort(): number {
    return this.dtmf?.port ?? 0;
  }

  async play(call: MediaCall, party: PartyRole, prompt: string | readonly string[], options: PlayOptions = {}): Promise<PlayEnd> {
    const state = this.state(call);
    const tag = this.tagOf(state, party);
    const resolved = await this.prompts.sequence(typeof prompt === 'string' ? [prompt] : prompt);
    if (state.ended) return 'hangup';
    const listener = state.parties[party];
    listener.play?.end('stopped');
    if (options.bargeIn && listener.typeAhead.length > 0) return 'barge-in';
    const otherTag = state.call.tags[other(party)];
    const repeat = options.repeat ?? 1;
    const times = repeat === 'forever' ? Math.max(1, Math.ceil(LOOP_MS / Math.max(1, resolved.durationMs))) : repeat;
    if (otherTag !== undefined) await this.ng.send('blockMedia', { 'call-id': call.callId, 'from-tag': otherTag });
    let response: NgResponse;
    try {
      response = await this.ng.send('playMedia', { 'call-id': call.callId, 'from-tag': tag, file: resolved.file, 'repeat-times': times });
    } catch (error) {
      if (otherTag !== undefined) await this.ng.send('unblockMedia', { 'call-id': call.callId, 'from-tag': otherTag }).catch(() => undefined);
      throw error;
    }
    const passMs = typeof response.duration === 'number' ? response.duration : resolved.durationMs;
    // The call ended while rtpengine was starting the prompt: nothing is left to stop.
    if (state.ended) return 'hangup';
    return new Promise<PlayEnd>((resolve) => {
      const active: ActivePlay = {
        bargeIn: options.bargeIn ?? false,
        timer: repeat === 'forever' ? undefined : setTimeout(() => active.end('completed'), passMs * times),
        end: (reason) => {
          if (listener.play !== active) return;
          listener.play = undefined;
          clearTimeout(active.timer);
          const commands: Promise<unknown>[] = [];
          if (reason !== 'hangup') {
            if (reason !== 'completed') commands.push(this.ng.send('stopMedia', { 'call-id': call.callId, 'from-tag': tag }));
            if (otherTag !== undefined) commands.push(this.ng.send('unblockMedia', { 'call-id': call.callId, 'from-tag': otherTag }));
          }
          void Promise.allSettled(commands).then((results) => {
            for (const result of results) if (result.status === 'rejected') this.logger.warn({ callId: call.callId, err: result.reason }, 'ending a prompt failed');
            resolve(reason);
          });
        },
      };
      listener.play = active;
      // A digit that came while rtpengine was starting the prompt barges in now.
      if (active.bargeIn && listener.typeAhead.length > 0) active.end('barge-in');
    });
  }

  async stop(call: MediaCall, party: PartyRole): Promise<void> {
    this.calls.get(call.callId)?.parties[party].play?.end('stopped');
  }

  async collect(call: MediaCall, party: PartyRole, options: CollectOptions): Promise<CollectResult> {
    const state = this.state(call);
    this.tagOf(state, party); // a party with no tag yet is an error, as for play()
    if (state.ended) return { digits: '', reason: 'hangup' };
    const collector = state.parties[party];
    collector.collect?.end('stopped');
    const collection = new DigitCollection(options, Date.now());
    // A sensitive collection not inside a sensitive step is its own step.
    const ownStep = options.sensitive === true && !collector.sensitive;
    if (ownStep) await this.beginSensitiveDigits(call, party);
    if (state.ended) return { digits: '', reason: 'hangup' };
    return new Promise<CollectResult>((resolve) => {
      const finish = (result: CollectResult): void => {
        if (collector.collect !== active) return;
        collector.collect = undefined;
        clearTimeout(active.timer);
        // Only how many digits and why: digits are never logged, sensitive or not.
        this.logger.info({ callId: call.callId, party, digits: result.digits.length, reason: result.reason }, 'digits collected');
        if (ownStep && result.reason !== 'hangup') void this.endSensitiveDigits(call, party).then(() => resolve(result));
        else resolve(result);
      };
      const arm = (): void => {
        clearTimeout(active.timer);
        active.timer = setTimeout(() => {
          if (Date.now() >= collection.deadline) finish(collection.end('timeout'));
          else arm();
        }, Math.max(0, collection.deadline - Date.now()));
      };
      const active: ActiveCollect = {
        collection,
        timer: undefined,
        feed: (digit) => {
          const result = collection.digit(digit, Date.now());
          if (result) finish(result);
          else arm();
        },
        end: (reason) => finish(collection.end(reason)),
      };
      collector.collect = active;
      const typedAhead = collector.typeAhead.splice(0);
      arm();
      for (const digit of typedAhead) if (collector.collect === active) active.feed(digit);
    });
  }

  async beginSensitiveDigits(call: MediaCall, party: PartyRole): Promise<void> {
    const state = this.state(call);
    const tag = this.tagOf(state, party);
    if (state.parties[party].sensitive) return;
    state.parties[party].sensitive = true;
    await this.ng.send('blockDTMF', { 'call-id': call.callId, 'from-tag': tag });
  }

  async endSensitiveDigits(call: MediaCall, party: PartyRole): Promise<void> {
    const state = this.calls.get(call.callId);
    const tag = state?.call.tags[party];
    if (!state || tag === undefined || !state.parties[party].sensitive) return;
    state.parties[party].sensitive = false;
    if (state.ended) return;
    await this.ng.send('unblockDTMF', { 'call-id': call.callId, 'from-tag': tag })
      .catch((error: unknown) => this.logger.warn({ callId: call.callId, err: error }, 'unblock DTMF failed'));
  }

  startRecording(call: MediaCall, metadata: Parameters<CallMedia['startRecording']>[1], by: string): Promise<string> {
    const state = this.state(call);
    return this.queueRecording(state, async () => {
      if (state.recording) throw new Error(`call ${call.callId} is already being recorded (${state.recording.id})`);
      const id = this.recordings.begin({ ...metadata, callId: call.callId }, by);
      state.recording = { id, paused: false };
      try {
        await this.ng.send('startRecording', { 'call-id': call.callId });
        await this.notePorts(state, id);
      } catch (error) {
        state.recording = undefined;
        await this.recordings.finish(id, 'partial');
        throw error;
      }
      this.logger.info({ callId: call.callId, recordingId: id, by }, 'recording started');
      return id;
    });
  }

  pauseRecording(call: MediaCall, by: string): Promise<void> {
    const state = this.state(call);
    return this.queueRecording(state, async () => {
      const recording = this.requireRecording(state);
      if (recording.paused) return;
      await this.ng.send('stopRecording', { 'call-id': call.callId });
      recording.paused = true;
      this.recordings.event(recording.id, 'pause', by);
      this.logger.info({ callId: call.callId, recordingId: recording.id, by }, 'recording paused');
    });
  }

  resumeRecording(call: MediaCall, by: string): Promise<void> {
    const state = this.state(call);
    return this.queueRecording(state, async () => {
      const recording = this.requireRecording(state);
      if (!recording.paused) return;
      await this.ng.send('startRecording', { 'call-id': call.callId });
      recording.paused = false;
      this.recordings.event(recording.id, 'resume', by);
      await this.notePorts(state, recording.id);
      this.logger.info({ callId: call.callId, recordingId: recording.id, by }, 'recording resumed');
    });
  }

  stopRecording(call: MediaCall, by: string): Promise<RecordingSummary | undefined> {
    const state = this.calls.get(call.callId);
    if (!state) return Promise.resolve(undefined);
    return this.queueRecording(state, () => this.finishRecording(state, by));
  }

  async callEnded(call: MediaCall): Promise<RecordingSummary | undefined> {
    const state = this.calls.get(call.callId);
    if (!state) return undefined;
    state.ended = true;
    for (const role of ROLES) {
      state.parties[role].play?.end('hangup');
      state.parties[role].collect?.end('hangup');
    }
    try {
      return await this.queueRecording(state, () => this.finishRecording(state, 'hangup'));
    } finally {
      this.calls.delete(call.callId);
    }
  }

  async close(): Promise<void> {
    for (const state of [...this.calls.values()]) await this.callEnded(state.call);
    await this.dtmf?.close();
    this.ng.close();
  }

  private async finishRecording(state: CallState, by: string): Promise<RecordingSummary | undefined> {
    const recording = state.recording;
    if (!recording) return undefined;
    state.recording = undefined;
    if (!recording.paused) {
      // The call may already be gone from rtpengine (deleted at hang-up), which closed the segment.
      await this.ng.send('stopRecording', { 'call-id': state.call.callId })
        .catch((error: unknown) => this.logger.debug({ callId: state.call.callId, err: error }, 'stop recording did not apply'));
    }
    this.recordings.event(recording.id, 'stop', by);
    return this.recordings.finish(recording.id, 'complete');
  }

  private onDigit(event: DtmfEvent): void {
    const state = this.calls.get(event.callId);
    if (!state || state.ended) return;
    const role = ROLES.find((candidate) => state.call.tags[candidate] === event.sourceTag);
    if (!role) return;
    const party = state.parties[role];
    if (party.play?.bargeIn) party.play.end('barge-in');
    if (party.collect) party.collect.feed(event.digit);
    else if (party.typeAhead.length < TYPE_AHEAD_LIMIT) party.typeAhead.push(event.digit);
  }

  /** Which of rtpengine's ports each party sends to, so the joiner knows whose packets are whose. */
  private async notePorts(state: CallState, id: string): Promise<void> {
    const response = await this.ng.send('query', { 'call-id': state.call.callId });
    const tags = (response.tags ?? {}) as Record<string, { medias?: { streams?: { 'local port'?: number; flags?: string[] }[] }[] }>;
    const ports = new Map<number, PartyRole>();
    for (const role of ROLES) {
      const tag = state.call.tags[role];
      if (tag === undefined) continue;
      for (const media of tags[tag]?.medias ?? []) {
        for (const stream of media.streams ?? []) {
          if (stream['local port'] !== undefined && (stream.flags ?? []).includes('RTP')) ports.set(stream['local port'], role);
        }
      }
    }
    this.recordings.ports(id, ports);
  }

  private queueRecording<T>(state: CallState, task: () => Promise<T>): Promise<T> {
    const next = state.recordingQueue.then(task, task);
    state.recordingQueue = next.catch(() => undefined);
    return next;
  }

  private requireRecording(state: CallState): { id: string; paused: boolean } {
    if (!state.recording) throw new Error(`call ${state.call.callId} is not being recorded`);
    return state.recording;
  }

  private state(call: MediaCall): CallState {
    let state = this.calls.get(call.callId);
    if (!state) {
      state = {
        call: { callId: call.callId, tags: {} },
        parties: { caller: { typeAhead: [], sensitive: false }, agent: { typeAhead: [], sensitive: false } },
        recordingQueue: Promise.resolve(),
        ended: false,
      };
      this.calls.set(call.callId, state);
    }
    // Tags arrive as the call progresses (the agent's once it answers).
    for (const role of ROLES) {
      const tag = call.tags[role];
      if (tag !== undefined) state.call.tags[role] = tag;
    }
    return state;
  }

  private tagOf(state: CallState, party: PartyRole): string {
    const tag = state.call.tags[party];
    if (tag === undefined) throw new Error(`call ${state.call.callId} has no ${party} yet`);
    return tag;
  }
}
