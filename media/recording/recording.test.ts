// Recording on the real rtpengine with real RTP on loopback: pause and resume as pcap
// segments joined into one encrypted stereo file, what is left on disk, the wrong master
// key, and kill -9 of the process that owns the recording.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../test/support/repo-root.js';
import { exitOf } from '../../test/support/child-exit.js';
import { dominantTone, tonePower } from '../../test/support/tone-detect.js';
import { waitUntil } from '../../test/support/wait-until.js';
import { PromptLibrary } from '../prompts/prompt-library.js';
import { RtpengineCallMedia } from '../call-media/rtpengine-call-media.js';
import { startTestRtpengine, type TestRtpengine } from '../testing/test-rtpengine.js';
import { startTwoPartyCall, type TwoPartyCall } from '../testing/two-party-call.js';
import type { RtpParty } from '../testing/rtp-party.js';
import { hasPcapHeader } from './pcap-rtp.js';
import { RecordingDecryptError } from './recording-cipher.js';
import { RecordingStore } from './recording-store.js';
import { spoolFilesOf } from './rtpengine-spool.js';

const CALLER = 700;
const AGENT = 1100;
const PAUSED = 1500;
const BLOCK = 160;

let rtpengine: TestRtpengine;
let masterKey: Buffer;
let keyFile: string;
let store: RecordingStore;
let media: RtpengineCallMedia;
let current: TwoPartyCall | undefined;

function recordingsDir(): string {
  return join(rtpengine.stateDir, 'recordings');
}

async function startMedia(): Promise<void> {
  store = new RecordingStore({ dir: recordingsDir(), spoolDir: rtpengine.spoolDir, masterKey, retentionDays: 30 });
  media = await RtpengineCallMedia.start({
    ngAddress: rtpengine.ngAddress, ngPort: rtpengine.ngPort, dtmfLog: { address: '127.0.0.1', port: 0 },
    prompts: new PromptLibrary({ cacheDir: join(rtpengine.stateDir, 'prompts') }), recordings: store,
  });
}

async function stopMedia(): Promise<void> {
  await media.close();
  store.close();
}

beforeAll(async () => {
  rtpengine = await startTestRtpengine(100);
  masterKey = randomBytes(32);
  keyFile = join(rtpengine.stateDir, 'recordings.key');
  writeFileSync(keyFile, `${masterKey.toString('hex')}\n`, { mode: 0o600 });
  await startMedia();
});

afterEach(async () => {
  if (current) {
    await media.callEnded(current.call);
    await current.end();
    current = undefined;
  }
});

afterAll(async () => {
  await stopMedia();
  await rtpengine?.stop();
});

async function call(): Promise<TwoPartyCall> {
  current = await startTwoPartyCall(rtpengine, { caller: CALLER, agent: AGENT });
  await waitUntil(() => current!.caller.received.length > 5 && current!.agent.received.length > 5, 'media both ways');
  return current;
}

/** Waits until both parties have sent `packets` more voice packets (20 ms each). */
async function bothSend(parties: RtpParty[], packets: number): Promise<void> {
  const targets = parties.map((party) => party.sent + packets);
  await waitUntil(() => parties.every((party, index) => party.sent >= targets[index]!), `${packets} packets sent by both parties`);
}

function stereo(wav: Buffer): { left: Int16Array; right: Int16Array } {
  expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
  expect(wav.readUInt16LE(22)).toBe(2);
  const frames = (wav.length - 44) / 4;
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let index = 0; index < frames; index++) {
    left[index] = wav.readInt16LE(44 + index * 4);
    right[index] = wav.readInt16LE(46 + index * 4);
  }
  return { left, right };
}

/** 20 ms blocks: which candidate tone dominates each, or 'silence' for all-zero blocks. */
function blockTones(channel: Int16Array, candidates: number[]): (number | 'silence')[] {
  const tones: (number | 'silence')[] = [];
  for (let start = 0; start + BLOCK <= channel.length; start += BLOCK) {
    const block = channel.subarray(start, start + BLOCK);
    tones.push(block.every((sample) => sample === 0) ? 'silence' : dominantTone(block, 8000, candidates).frequency);
  }
  return tones;
}

/** The longest run of zero samples, in ms from the start of the recording. */
function longestSilenceMs(channel: Int16Array): { startMs: number; lengthMs: number } {
  let best = { start: 0, length: 0 };
  let run = 0;
  channel.forEach((sample, index) => {
    run = sample === 0 ? run + 1 : 0;
    if (run > best.length) best = { start: index - run + 1, length: run };
  });
  return { startMs: best.start / 8, lengthMs: best.length / 8 };
}

function entropyBitsPerByte(bytes: Buffer): number {
  const counts = new Array<number>(256).fill(0);
  for (const byte of bytes) counts[byte]!++;
  return counts.reduce((sum, count) => (count === 0 ? sum : sum - (count / bytes.length) * Math.log2(count / bytes.length)), 0);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => join(dir, name)).filter((path) => statSync(path).isFile());
}

/** Files under dir that start like clear audio: a RIFF (WAV) or pcap header. */
function clearAudioFiles(dir: string): string[] {
  return filesUnder(dir).filter((file) => {
    const head = readFileSync(file).subarray(0, 4);
    return head.toString('ascii') === 'RIFF' || hasPcapHeader(head);
  });
}

describe('recording with pause', () => {
  it('joins the spans into one stereo file with the paused span as silence of the right length', async () => {
    const { call: mediaCall, caller, agent } = await call();
    const id = await media.startRecording(mediaCall, { dialledNumber: '18005550100', caller: '+15551234567', agent: 'agent-7', queue: 'sales' }, 'flow');
    await bothSend([caller, agent], 50);
    await media.pauseRecording(mediaCall, 'agent-7');
    caller.setTone(PAUSED);
    agent.setTone(PAUSED);
    await bothSend([caller, agent], 50);
    caller.setTone(CALLER);
    agent.setTone(AGENT);
    await media.resumeRecording(mediaCall, 'agent-7');
    await bothSend([caller, agent], 50);
    const summary = await media.stopRecording(mediaCall, 'agent-7');

    expect(summary).toMatchObject({ id, status: 'complete', dialledNumber: '18005550100', agent: 'agent-7', queue: 'sales' });
    expect(summary!.events.map((event) => `${event.action}:${event.by}`)).toEqual(['start:flow', 'pause:agent-7', 'resume:agent-7', 'stop:agent-7']);
    const [start, pause, resume] = summary!.events;
    const { left, right } = stereo(await buffer(store.openWavStream(id)));

    const candidates = [CALLER, AGENT, PAUSED];
    const leftTones = blockTones(left, candidates);
    const rightTones = blockTones(right, candidates);
    expect(new Set(leftTones.filter((tone) => tone !== 'silence'))).toEqual(new Set([CALLER]));
    expect(new Set(rightTones.filter((tone) => tone !== 'silence'))).toEqual(new Set([AGENT]));
    // No 1500 Hz anywhere, not even weakly under the other tones.
    for (const channel of [left, right]) {
      expect(tonePower(channel, 8000, PAUSED)).toBeLessThan(tonePower(channel, 8000, channel === left ? CALLER : AGENT) / 1000);
    }
    // The pause: silence on both sides, where and as long as the metadata says, within 100 ms.
    const pausedMs = resume!.at - pause!.at;
    for (const channel of [left, right]) {
      const silence = longestSilenceMs(channel);
      expect(Math.abs(silence.lengthMs - pausedMs), `silence ${silence.lengthMs} ms, paused ${pausedMs} ms`).toBeLessThanOrEqual(100);
      expect(Math.abs(silence.startMs - (pause!.at - start!.at))).toBeLessThanOrEqual(100);
    }
    // The caller's number is in the index only encrypted.
    expect(store.caller(id)).toBe('+15551234567');
    for (const file of filesUnder(recordingsDir()).filter((path) => path.includes('index.sqlite'))) {
      expect(readFileSync(file).includes('+15551234567'), file).toBe(false);
    }
  });

  it('leaves nothing in clear: no RIFF or pcap header, no audio-like entropy; a wrong master key fails cleanly', async () => {
    const { call: mediaCall, caller, agent } = await call();
    const id = await media.startRecording(mediaCall, { caller: '+15557654321' }, 'flow');
    await bothSend([caller, agent], 25);
    const wav = await buffer(store.openWavStream((await media.callEnded(mediaCall))!.id));
    current = undefined;
    expect(entropyBitsPerByte(wav)).toBeLessThan(7.5);

    expect(clearAudioFiles(rtpengine.stateDir)).toEqual([]);
    expect((await spoolFilesOf(rtpengine.spoolDir, mediaCall.callId)).pcaps).toEqual([]);
    const recordings = filesUnder(recordingsDir()).filter((file) => file.endsWith('.vrec'));
    expect(recordings.length).toBeGreaterThan(0);
    for (const file of recordings) expect(entropyBitsPerByte(readFileSync(file)), file).toBeGreaterThan(7.9);

    const wrong = new RecordingStore({ dir: recordingsDir(), spoolDir: rtpengine.spoolDir, masterKey: randomBytes(32), retentionDays: 30 });
    try {
      expect(() => wrong.openWavStream(id)).toThrow(RecordingDecryptError);
      expect(() => wrong.caller(id)).toThrow(/does not open the data key/);
    } finally {
      wrong.close();
    }
  });

  it('recovers the partial recording after kill -9 of its owner: joined, encrypted, indexed, nothing left in clear', async () => {
    const { call: mediaCall, caller, agent } = await call();
    const owner = spawn(process.execPath, [join(repoRoot, 'dist/media/testing/recording-owner.js'), JSON.stringify({
      ngAddress: rtpengine.ngAddress, ngPort: rtpengine.ngPort, recordingsDir: recordingsDir(), spoolDir: rtpengine.spoolDir,
      promptCacheDir: join(rtpengine.stateDir, 'prompts'), masterKeyFile: keyFile, call: mediaCall,
    })], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = exitOf(owner);
    const [line] = await Promise.race([
      (async () => { for await (const text of createInterface({ input: owner.stdout! })) return [text]; return []; })(),
      exited.then(() => [] as string[]),
    ]);
    expect(line, 'the owner printed its recording id').toBeDefined();
    const { recordingId } = JSON.parse(line!) as { recordingId: string };
    await bothSend([caller, agent], 50);
    owner.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    expect((await spoolFilesOf(rtpengine.spoolDir, mediaCall.callId)).pcaps.length).toBeGreaterThan(0);

    // The restart: the next owner recovers before it takes calls.
    await stopMedia();
    await startMedia();
    const summary = store.summary(recordingId);
    expect(summary).toMatchObject({ status: 'partial', agent: 'agent-8', queue: 'support' });
    expect(summary.events.map((event) => event.action)).toEqual(['start', 'recovered']);
    expect(store.caller(recordingId)).toBe('+15550001111');
    const { left, right } = stereo(await buffer(store.openWavStream(recordingId)));
    const leftTones = blockTones(left, [CALLER, AGENT]).filter((tone) => tone !== 'silence');
    const rightTones = blockTones(right, [CALLER, AGENT]).filter((tone) => tone !== 'silence');
    expect(leftTones.length).toBeGreaterThanOrEqual(45);
    expect(new Set(leftTones)).toEqual(new Set([CALLER]));
    expect(new Set(rightTones)).toEqual(new Set([AGENT]));
    expect((await spoolFilesOf(rtpengine.spoolDir, mediaCall.callId)).pcaps).toEqual([]);
    expect(clearAudioFiles(rtpengine.stateDir)).toEqual([]);
  });
});
