// G.711 decoding (ITU-T G.711 μ-law and A-law to 16-bit linear), as lookup tables.

function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << exponent;
  return u & 0x80 ? 0x84 - magnitude : magnitude - 0x84;
}

function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  let magnitude = (a & 0x0f) << 4;
  magnitude = exponent === 0 ? magnitude + 8 : (magnitude + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const ULAW = Int16Array.from({ length: 256 }, (_, code) => ulawToLinear(code));
const ALAW = Int16Array.from({ length: 256 }, (_, code) => alawToLinear(code));

/** Payload types of static RTP G.711 (RFC 3551). */
export const PT_PCMU = 0;
const PT_PCMA = 8;

/** Decodes a G.711 payload into `out` at `offset`; returns false for a payload type that is not G.711. */
export function decodeG711(payloadType: number, payload: Uint8Array, out: Int16Array, offset: number): boolean {
  const table = payloadType === PT_PCMU ? ULAW : payloadType === PT_PCMA ? ALAW : undefined;
  if (!table) return false;
  const end = Math.min(payload.length, out.length - offset);
  for (let index = 0; index < end; index++) {
    if (offset + index >= 0) out[offset + index] = table[payload[index] as number] as number;
  }
  return true;
}

/** μ-law encoding of one 16-bit sample (for test peers and benchmarks that send G.711). */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  let value = Math.max(-32635, Math.min(32635, Math.round(sample)));
  const sign = value < 0 ? 0x80 : 0;
  if (value < 0) value = -value;
  value += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}
