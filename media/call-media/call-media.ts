// The media plane as the routing core's call controller uses it: prompts, digits and
// recording for the two parties of a call. rtpengine implements it today
// (rtpengine-call-media.ts); a FreeSWITCH backend could implement the same interface.
import type { CollectResult, DigitCollectionOptions } from '../dtmf/digit-collection.js';
import type { RecordingMetadata, RecordingSummary } from '../recording/recording-store.js';

export type { CollectResult, CollectEnd } from '../dtmf/digit-collection.js';
export type { RecordingMetadata, RecordingSummary } from '../recording/recording-store.js';

/** The two parties of a contact-center call; a recording puts the caller left and the agent right. */
export type PartyRole = 'caller' | 'agent';

/** A call as the media backend knows it: its Call-ID and the tag of each party known so far. */
export interface MediaCall {
  callId: string;
  tags: Partial<Record<PartyRole, string>>;
}

export interface PlayOptions {
  /** Times to play; 'forever' loops (music on hold) until stopped. Default 1. */
  repeat?: number | 'forever';
  /** A digit from the listening party stops the prompt; the digit is kept for the next collect(). */
  bargeIn?: boolean;
}

/** Why play() resolved. */
export type PlayEnd = 'completed' | 'stopped' | 'barge-in' | 'hangup';

export interface CollectOptions extends DigitCollectionOptions {
  /** Card numbers and the like: digits are never logged and not forwarded to the other party. */
  sensitive?: boolean;
}

export interface CallMedia {
  /**
   * Plays a prompt, or a sequence of prompts back to back, to one party; the other party's
   * audio is blocked toward it meanwhile. Resolves when it has played or was stopped.
   */
  play(call: MediaCall, party: PartyRole, prompt: string | readonly string[], options?: PlayOptions): Promise<PlayEnd>;
  /** Stops what is playing to the party (its play() resolves 'stopped'). */
  stop(call: MediaCall, party: PartyRole): Promise<void>;
  /** Collects digits from a party; digits typed ahead (e.g. a barge-in) count first. */
  collect(call: MediaCall, party: PartyRole, options: CollectOptions): Promise<CollectResult>;
  /**
   * Starts a sensitive step: from when this resolves, the party's digits are not forwarded
   * to the other party. Call it before the step's prompt, so digits typed during the prompt
   * are covered too; collect({ sensitive: true }) alone covers only digits after it started.
   */
  beginSensitiveDigits(call: MediaCall, party: PartyRole): Promise<void>;
  /** Ends the sensitive step: the party's digits are forwarded again. */
  endSensitiveDigits(call: MediaCall, party: PartyRole): Promise<void>;
  /** Starts recording the call; returns the recording id. */
  startRecording(call: MediaCall, metadata: Omit<RecordingMetadata, 'callId'>, by: string): Promise<string>;
  pauseRecording(call: MediaCall, by: string): Promise<void>;
  resumeRecording(call: MediaCall, by: string): Promise<void>;
  /** Ends the recording: joined, encrypted and indexed before this resolves. */
  stopRecording(call: MediaCall, by: string): Promise<RecordingSummary | undefined>;
  /** The call is over: plays and collections end with 'hangup' and its recording is finished. */
  callEnded(call: MediaCall): Promise<RecordingSummary | undefined>;
  close(): Promise<void>;
}
