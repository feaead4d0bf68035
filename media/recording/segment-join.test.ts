import { describe, expect, it } from 'vitest';
import { linearToUlaw } from './g711.js';
import type { CapturedRtp } from './pcap-rtp.js';
import { joinSegments } from './segment-join.js';

const ORIGIN_US = 1_700_000_000_000_000;

/** A 20 ms μ-law packet of constant level `level`, arriving `jitterUs` late. */
function packet(port: number, index: number, timestampBase: number, startUs: number, level: number, jitterUs = 0, ssrc = 1): CapturedRtp {
  return {
    arrivalUs: startUs + index * 20_000 + jitterUs, destinationPort: port, payloadType: 0, sequence: index, ssrc, marker: false,
    timestamp: (timestampBase + index * 160) >>> 0, payload: new Uint8Array(160).fill(linearToUlaw(level)),
  };
}

describe('joinSegments', () => {
  it('places runs by RTP time anchored at the least-delayed packet, with the gap between segments as silence', () => {
    const roles = new Map([[4000, 'caller' as const], [4002, 'agent' as const]]);
    const jitter = [0, 7000, 3000, 15000, 1000];
    // Segment 1: 0-1 s; the caller's timestamps wrap around 2^32 in the middle.
    const first = [
      ...Array.from({ length: 50 }, (_, index) => packet(4000, index, 0xffffffff - 160 * 20, ORIGIN_US, 1000, jitter[index % 5])),
      ...Array.from({ length: 50 }, (_, index) => packet(4002, index, 5000, ORIGIN_US, 2000)),
    ];
    // Segment 2 after a 1.5 s pause, with a new SSRC for the agent.
    const secondStart = ORIGIN_US + 2_500_000;
    const second = [
      ...Array.from({ length: 25 }, (_, index) => packet(4000, index, 0xffffffff - 160 * 20 + 125 * 160, secondStart, 1000)),
      ...Array.from({ length: 25 }, (_, index) => packet(4002, index, 9, secondStart, 2000, 0, 77)),
      // Not the call's ports: ignored.
      packet(5000, 0, 0, secondStart, 9000),
    ];
    const audio = joinSegments({ segments: [second, first], roleOfPort: roles, originUs: ORIGIN_US });
    expect(audio.packets).toEqual({ caller: 75, agent: 75 });
    expect(audio.caller.length).toBe(3 * 8000);
    const level = (channel: Int16Array, fromMs: number, toMs: number): Set<number> => new Set(channel.subarray(fromMs * 8, toMs * 8));
    expect([...level(audio.caller, 0, 1000)].every((sample) => Math.abs(sample - 1000) < 40)).toBe(true);
    expect(level(audio.caller, 1000, 2500)).toEqual(new Set([0]));
    expect([...level(audio.caller, 2500, 3000)].every((sample) => Math.abs(sample - 1000) < 40)).toBe(true);
    expect(level(audio.agent, 1000, 2500)).toEqual(new Set([0]));
    expect([...level(audio.agent, 2500, 3000)].every((sample) => Math.abs(sample - 2000) < 70)).toBe(true);
  });
});
