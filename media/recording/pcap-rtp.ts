// The RTP packets of one rtpengine pcap segment (libpcap, link type RAW or Ethernet, IPv4
// or IPv6, UDP): what each leg sent in, stamped with its arrival time. A file cut short by
// a crash yields the packets that were complete.

export interface CapturedRtp {
  /** Arrival time, microseconds since the Unix epoch. */
  arrivalUs: number;
  /** UDP destination port: rtpengine's port for the party that sent it. */
  destinationPort: number;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Uint8Array;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_IPV4 = 228;

/** True when the bytes start like a pcap file (either byte order, µs or ns stamps). */
export function hasPcapHeader(bytes: Buffer): boolean {
  if (bytes.length < 4) return false;
  const magic = bytes.readUInt32LE(0);
  return magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1 || magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
}

export function readPcapRtp(file: Buffer): CapturedRtp[] {
  if (!hasPcapHeader(file) || file.length < 24) throw new Error('not a pcap file');
  const magic = file.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nanoseconds = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (offset: number): number => (littleEndian ? file.readUInt32LE(offset) : file.readUInt32BE(offset));
  const linkType = u32(20) & 0x0fffffff;
  const packets: CapturedRtp[] = [];
  let offset = 24;
  while (offset + 16 <= file.length) {
    const seconds = u32(offset);
    const fraction = u32(offset + 4);
    const captured = u32(offset + 8);
    const start = offset + 16;
    const end = start + captured;
    if (end > file.length) break;
    offset = end;
    const arrivalUs = seconds * 1_000_000 + (nanoseconds ? Math.floor(fraction / 1000) : fraction);
    const ipStart = linkType === LINKTYPE_ETHERNET ? start + 14 : linkType === LINKTYPE_RAW || linkType === LINKTYPE_IPV4 ? start : -1;
    if (ipStart < 0) continue;
    const packet = rtpOfIpPacket(file.subarray(ipStart, end), arrivalUs);
    if (packet) packets.push(packet);
  }
  return packets;
}

function rtpOfIpPacket(ip: Buffer, arrivalUs: number): CapturedRtp | undefined {
  if (ip.length < 1) return undefined;
  const version = ip[0]! >> 4;
  let udpStart: number;
  if (version === 4) {
    if (ip[9] !== 17) return undefined;
    udpStart = (ip[0]! & 0x0f) * 4;
  } else if (version === 6) {
    if (ip[6] !== 17) return undefined;
    udpStart = 40;
  } else {
    return undefined;
  }
  if (ip.length < udpStart + 8 + 12) return undefined;
  const destinationPort = ip.readUInt16BE(udpStart + 2);
  const rtp = ip.subarray(udpStart + 8);
  if (rtp[0]! >> 6 !== 2) return undefined;
  const csrcCount = rtp[0]! & 0x0f;
  let headerLength = 12 + csrcCount * 4;
  if (rtp[0]! & 0x10) {
    if (rtp.length < headerLength + 4) return undefined;
    headerLength += 4 + rtp.readUInt16BE(headerLength + 2) * 4;
  }
  let payloadEnd = rtp.length;
  if (rtp[0]! & 0x20) payloadEnd -= rtp[rtp.length - 1]!;
  if (payloadEnd < headerLength) return undefined;
  const payloadType = rtp[1]! & 0x7f;
  // RTCP multiplexed on the RTP port (payload types 72-76 once the marker bit is folded in).
  if (payloadType >= 72 && payloadType <= 76) return undefined;
  return {
    arrivalUs,
    destinationPort,
    payloadType,
    marker: (rtp[1]! & 0x80) !== 0,
    sequence: rtp.readUInt16BE(2),
    timestamp: rtp.readUInt32BE(4),
    ssrc: rtp.readUInt32BE(8),
    payload: rtp.subarray(headerLength, payloadEnd),
  };
}
