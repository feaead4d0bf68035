// Joins the pcap segments of one recording into two 8 kHz channels (caller, agent). Each
// run of packets (one party, one SSRC, one segment) is placed by its RTP timestamps,
// anchored at the run's least-delayed packet's arrival time, so jitter does not smear the
// audio and the time between segments (a pause) comes out as silence of its real length.
import { decodeG711 } from './g711.js';
import type { CapturedRtp } from './pcap-rtp.js';

export const RECORDING_SAMPLE_RATE = 8000;
const US_PER_SAMPLE = 1_000_000 / RECORDING_SAMPLE_RATE;
/** A packet this far (µs) from where its timestamp says it belongs starts a new run. */
const RUN_BREAK_US = 1_000_000;

export type RecordedRole = 'caller' | 'agent';

export interface JoinInput {
  /** Packets of each segment, in any order. */
  segments: readonly (readonly CapturedRtp[])[];
  /** Which party sent to each of rtpengine's ports. */
  roleOfPort: ReadonlyMap<number, RecordedRole>;
  /** Time zero of the recording (µs since the epoch): when it was started. */
  originUs: number;
}

export interface JoinedAudio {
  caller: Int16Array;
  agent: Int16Array;
  /** Packets placed, by party. */
  packets: Record<RecordedRole, number>;
}

interface Run {
  role: RecordedRole;
  packets: CapturedRtp[];
  /** Arrival minus timestamp time of the least-delayed packet (µs). */
  offsetUs: number;
}

export function joinSegments(input: JoinInput): JoinedAudio {
  const runs = input.segments.flatMap((segment) => runsOf(segment, input.roleOfPort));
  let origin = input.originUs;
  let end = origin;
  for (const run of runs) {
    const first = run.packets[0]!;
    origin = Math.min(origin, first.arrivalUs);
    for (const packet of run.packets) end = Math.max(end, startUs(run, first, packet) + packet.payload.length * US_PER_SAMPLE);
  }
  const length = Math.max(0, Math.round((end - origin) / US_PER_SAMPLE));
  const audio: JoinedAudio = { caller: new Int16Array(length), agent: new Int16Array(length), packets: { caller: 0, agent: 0 } };
  for (const run of runs) {
    const first = run.packets[0]!;
    const channel = audio[run.role];
    for (const packet of run.packets) {
      const at = Math.round((startUs(run, first, packet) - origin) / US_PER_SAMPLE);
      if (decodeG711(packet.payloadType, packet.payload, channel, at)) audio.packets[run.role]++;
    }
  }
  return audio;
}

function timestampDelta(from: number, to: number): number {
  const delta = (to - from) >>> 0;
  return delta >= 0x80000000 ? delta - 0x100000000 : delta;
}

function startUs(run: Run, first: CapturedRtp, packet: CapturedRtp): number {
  return run.offsetUs + timestampDelta(first.timestamp, packet.timestamp) * US_PER_SAMPLE;
}

function runsOf(segment: readonly CapturedRtp[], roleOfPort: ReadonlyMap<number, RecordedRole>): Run[] {
  const sorted = [...segment].sort((a, b) => a.arrivalUs - b.arrivalUs);
  const open = new Map<string, { run: Run; first: CapturedRtp }>();
  const runs: Run[] = [];
  for (const packet of sorted) {
    const role = roleOfPort.get(packet.destinationPort);
    if (!role) continue;
    const key = `${role}/${packet.ssrc}`;
    const current = open.get(key);
    if (current) {
      const expected = current.first.arrivalUs + timestampDelta(current.first.timestamp, packet.timestamp) * US_PER_SAMPLE;
      if (Math.abs(packet.arrivalUs - expected) <= RUN_BREAK_US) {
        current.run.packets.push(packet);
        current.run.offsetUs = Math.min(current.run.offsetUs, packet.arrivalUs - timestampDelta(current.first.timestamp, packet.timestamp) * US_PER_SAMPLE);
        continue;
      }
    }
    const run: Run = { role, packets: [packet], offsetUs: packet.arrivalUs };
    runs.push(run);
    open.set(key, { run, first: packet });
  }
  return runs;
}
