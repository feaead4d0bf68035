// Prompts and digits on the real rtpengine with real RTP on loopback: two RtpParty peers
// anchored with offer/answer, the DTMF log socket, and tones found in what each heard.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/free-port.js';
import { dominantTone, tonePower } from '../../test/support/tone-detect.js';
import { waitUntil } from '../../test/support/wait-until.js';
import { PromptLibrary } from '../prompts/prompt-library.js';
import { RecordingStore } from '../recording/recording-store.js';
import { startTestRtpengine, type TestRtpengine } from '../testing/test-rtpengine.js';
import { startTwoPartyCall, type TwoPartyCall } from '../testing/two-party-call.js';
import type { RtpParty } from '../testing/rtp-party.js';
import { RtpengineCallMedia } from './rtpengine-call-media.js';

const CALLER_TONE = 440;
const AGENT_TONE = 2000;

let rtpengine: TestRtpengine;
let media: RtpengineCallMedia;
let store: RecordingStore;
const logLines: string[] = [];
let current: TwoPartyCall | undefined;

function sineFile(dir: string, name: string, frequency: number, seconds: number): string {
  // 44.1 kHz stereo on purpose: the library must convert it to 8 kHz mono.
  const file = join(dir, `${name}.wav`);
  execFileSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', file, 'synth', String(seconds), 'sine', String(frequency), 'vol', '0.3']);
  return file;
}

/** Waits until the party has received voice that arrived after `sinceMs` and in which `frequency` dominates. */
async function hears(party: RtpParty, frequency: number, sinceMs: number, candidates: number[]): Promise<void> {
  await waitUntil(() => {
    const recent = party.received.filter((packet) => packet.arrivalMs >= sinceMs).slice(-5);
    if (recent.length < 5) return false;
    const samples = party.samplesBetween(recent[0]!.arrivalMs, Number.POSITIVE_INFINITY);
    return dominantTone(samples, 8000, candidates).frequency === frequency;
  }, `${frequency} Hz heard`);
}

beforeAll(async () => {
  const dtmfLogPort = await freePort();
  rtpengine = await startTestRtpengine(100, { dtmfLogPort });
  const sources = mkdtempSync(join(tmpdir(), 'vpop-prompts-'));
  const prompts = new PromptLibrary({ cacheDir: join(rtpengine.stateDir, 'prompts') });
  await prompts.provision([
    { name: 'beep-1000', file: sineFile(sources, 'beep', 1000, 1.2) },
    { name: 'part-400', file: sineFile(sources, 'p400', 400, 0.5) },
    { name: 'part-1200', file: sineFile(sources, 'p1200', 1200, 0.5) },
    { name: 'hold-300', file: sineFile(sources, 'hold', 300, 0.4) },
  ]);
  store = new RecordingStore({
    dir: join(rtpengine.stateDir, 'recordings'), spoolDir: rtpengine.spoolDir, masterKey: randomBytes(32), retentionDays: 30,
  });
  const logger = pino({ level: 'debug' }, { write: (line: string) => { logLines.push(line); } });
  media = await RtpengineCallMedia.start({
    ngAddress: rtpengine.ngAddress, ngPort: rtpengine.ngPort, dtmfLog: { address: '127.0.0.1', port: dtmfLogPort }, prompts, recordings: store, logger,
  });
});

afterEach(async () => {
  if (current) {
    await media.callEnded(current.call);
    await current.end();
    current = undefined;
  }
});

afterAll(async () => {
  await media?.close();
  store?.close();
  await rtpengine?.stop();
});

async function call(): Promise<TwoPartyCall> {
  current = await startTwoPartyCall(rtpengine, { caller: CALLER_TONE, agent: AGENT_TONE });
  await hears(current.caller, AGENT_TONE, 0, [AGENT_TONE, CALLER_TONE, 1000]);
  await hears(current.agent, CALLER_TONE, 0, [AGENT_TONE, CALLER_TONE, 1000]);
  return current;
}

describe('prompts', () => {
  it('plays a prompt to one party only, with the other party blocked toward it, and unblocks after', async () => {
    const { call: mediaCall, caller, agent } = await call();
    const started = Date.now();
    const end = await media.play(mediaCall, 'caller', 'beep-1000');
    const ended = Date.now();
    expect(end).toBe('completed');
    expect(ended - started).toBeGreaterThanOrEqual(1150);
    const during = caller.samplesBetween(started + 200, ended - 200);
    expect(dominantTone(during, 8000, [1000, AGENT_TONE, CALLER_TONE])).toMatchObject({ frequency: 1000 });
    // Blocked: the agent's tone is not mixed in beside the prompt.
    expect(tonePower(during, 8000, AGENT_TONE)).toBeLessThan(tonePower(during, 8000, 1000) / 100);
    const agentHeard = agent.samplesBetween(started + 200, ended - 200);
    expect(dominantTone(agentHeard, 8000, [1000, CALLER_TONE])).toMatchObject({ frequency: CALLER_TONE });
    expect(tonePower(agentHeard, 8000, 1000)).toBeLessThan(tonePower(agentHeard, 8000, CALLER_TONE) / 100);
    await hears(caller, AGENT_TONE, ended, [1000, AGENT_TONE, CALLER_TONE]);
  });

  it('plays a sequence back to back with no gap', async () => {
    const { call: mediaCall, caller } = await call();
    const started = Date.now();
    expect(await media.play(mediaCall, 'caller', ['part-400', 'part-1200'])).toBe('completed');
    const packets = caller.received.filter((packet) => packet.arrivalMs >= started && packet.payloadType === 0);
    const tones = packets.map((packet) => dominantTone(packet.samples, 8000, [400, 1200, AGENT_TONE]).frequency);
    const first400 = tones.indexOf(400);
    const last1200 = tones.lastIndexOf(1200);
    expect(first400).toBeGreaterThanOrEqual(0);
    expect(last1200).toBeGreaterThan(first400);
    // Every 20 ms packet from the first part's start to the second's end carries one of the two tones.
    const between = tones.slice(first400, last1200 + 1);
    expect(between.filter((tone) => tone !== 400 && tone !== 1200).length).toBe(0);
    expect(between.length * 20).toBeGreaterThanOrEqual(900);
  });

  it('loops music on hold until it is stopped', async () => {
    const { call: mediaCall, caller } = await call();
    const started = Date.now();
    const playing = media.play(mediaCall, 'caller', 'hold-300', { repeat: 'forever' });
    // Three passes of the 0.4 s prompt: it loops.
    await waitUntil(() => caller.received.filter((packet) => packet.arrivalMs >= started
      && dominantTone(packet.samples, 8000, [300, AGENT_TONE]).frequency === 300).length >= 60, 'music on hold for 1.2 s');
    const stopped = Date.now();
    await media.stop(mediaCall, 'caller');
    expect(await playing).toBe('stopped');
    await hears(caller, AGENT_TONE, stopped + 100, [300, AGENT_TONE, CALLER_TONE]);
  });
});

describe('digits', () => {
  const options = { maxDigits: 10, firstDigitTimeoutMs: 10_000, interDigitTimeoutMs: 10_000 };

  it('collects RFC 4733 digits up to the terminator and forwards them to the other party', async () => {
    const { call: mediaCall, caller, agent } = await call();
    const started = Date.now();
    const collecting = media.collect(mediaCall, 'caller', { ...options, terminator: '#' });
    for (const digit of '123#') await caller.sendDigit(digit);
    expect(await collecting).toEqual({ digits: '123', reason: 'terminator' });
    expect(agent.receivedEvents(started)).toBeGreaterThan(0);
  });

  it('stops a barge-in prompt on a digit, which counts toward the next collection', async () => {
    const { call: mediaCall, caller } = await call();
    const started = Date.now();
    const playing = media.play(mediaCall, 'caller', 'beep-1000', { bargeIn: true, repeat: 5 });
    await hears(caller, 1000, started, [1000, AGENT_TONE, CALLER_TONE]);
    await caller.sendDigit('4');
    expect(await playing).toBe('barge-in');
    expect(Date.now() - started).toBeLessThan(5 * 1200);
    const collecting = media.collect(mediaCall, 'caller', { ...options, maxDigits: 2 });
    await caller.sendDigit('5');
    expect(await collecting).toEqual({ digits: '45', reason: 'max' });
  });

  it('times out waiting for the first digit and between digits', async () => {
    const { call: mediaCall, caller } = await call();
    expect(await media.collect(mediaCall, 'caller', { maxDigits: 4, firstDigitTimeoutMs: 300, interDigitTimeoutMs: 300 }))
      .toEqual({ digits: '', reason: 'timeout' });
    const collecting = media.collect(mediaCall, 'caller', { maxDigits: 4, firstDigitTimeoutMs: 10_000, interDigitTimeoutMs: 400 });
    await caller.sendDigit('7');
    expect(await collecting).toEqual({ digits: '7', reason: 'timeout' });
  });

  it('never logs or forwards digits collected in a sensitive step, even typed during its prompt', async () => {
    const { call: mediaCall, caller, agent } = await call();
    const started = Date.now();
    await media.beginSensitiveDigits(mediaCall, 'caller');
    const prompt = media.play(mediaCall, 'caller', 'beep-1000', { bargeIn: true });
    await hears(caller, 1000, started, [1000, AGENT_TONE, CALLER_TONE]);
    await caller.sendDigit('4');
    expect(await prompt).toBe('barge-in');
    const collecting = media.collect(mediaCall, 'caller', { ...options, maxDigits: 4, sensitive: true });
    for (const digit of '929') await caller.sendDigit(digit);
    expect(await collecting).toEqual({ digits: '4929', reason: 'max' });
    await media.endSensitiveDigits(mediaCall, 'caller');
    expect(agent.receivedEvents(started)).toBe(0);
    expect(logLines.join('\n')).not.toContain('4929');
    // Forwarding is back once the sensitive step is over.
    const after = Date.now();
    const next = media.collect(mediaCall, 'caller', { ...options, maxDigits: 1 });
    await caller.sendDigit('1');
    expect(await next).toEqual({ digits: '1', reason: 'max' });
    await waitUntil(() => agent.receivedEvents(after) > 0, 'the next digit forwarded');
  });

  it('ends a prompt and a collection with hangup when the call ends', async () => {
    const { call: mediaCall } = await call();
    const playing = media.play(mediaCall, 'caller', 'hold-300', { repeat: 'forever' });
    const collecting = media.collect(mediaCall, 'agent', options);
    await media.callEnded(mediaCall);
    expect(await playing).toBe('hangup');
    expect(await collecting).toEqual({ digits: '', reason: 'hangup' });
  });
});
