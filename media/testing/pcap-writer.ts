// Writes pcap files as rtpengine 10.5 does (libpcap, link type RAW, IPv4/UDP/RTP): for
// tests and benchmarks of the joiner that need segments without a live call.
import { linearToUlaw } from '../recording/g711.js';

export interface SyntheticStream {
  /** rtpengine's port the party sends to (the UDP destination). */
  port: number;
  frequency: number;
  ssrc: number;
  firstTimestamp: number;
}

/** A pcap of `seconds` of 20 ms μ-law packets from each stream, the first arriving at startMs. */
export function syntheticRtpPcap(streams: readonly SyntheticStream[], startMs: number, seconds: number): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(101, 20);
  const records: Buffer[] = [header];
  const packets = Math.round(seconds * 50);
  // One second of each tone, encoded once: a whole-hertz tone repeats every second.
  const tones = streams.map((stream) => Buffer.from(Array.from({ length: 8000 },
    (_, sample) => linearToUlaw(8000 * Math.sin((2 * Math.PI * Math.round(stream.frequency) * sample) / 8000)))));
  for (let index = 0; index < packets; index++) {
    for (const [streamIndex, stream] of streams.entries()) {
      const offset = (index % 50) * 160;
      const payload = tones[streamIndex]!.subarray(offset, offset + 160);
      const rtp = Buffer.alloc(12);
      rtp[0] = 0x80;
      rtp.writeUInt16BE(index & 0xffff, 2);
      rtp.writeUInt32BE((stream.firstTimestamp + index * 160) >>> 0, 4);
      rtp.writeUInt32BE(stream.ssrc, 8);
      const ip = Buffer.alloc(28);
      ip[0] = 0x45;
      ip.writeUInt16BE(28 + 12 + 160, 2);
      ip[8] = 64;
      ip[9] = 17;
      ip.writeUInt32BE(0x7f000001, 12);
      ip.writeUInt32BE(0x7f000001, 16);
      ip.writeUInt16BE(40000, 20);
      ip.writeUInt16BE(stream.port, 22);
      ip.writeUInt16BE(8 + 12 + 160, 24);
      const frame = Buffer.concat([ip, rtp, payload]);
      const record = Buffer.alloc(16);
      const arrivalUs = Math.round(startMs * 1000) + index * 20_000;
      record.writeUInt32LE(Math.floor(arrivalUs / 1_000_000), 0);
      record.writeUInt32LE(arrivalUs % 1_000_000, 4);
      record.writeUInt32LE(frame.length, 8);
      record.writeUInt32LE(frame.length, 12);
      records.push(record, frame);
    }
  }
  return Buffer.concat(records);
}
