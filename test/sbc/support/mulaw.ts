// G.711 mu-law to 16-bit linear, to look for tones in RTP payloads taken off the wire.
export function mulawToLinear(byte: number): number {
  const value = ~byte & 0xff;
  const sign = value & 0x80;
  const exponent = (value >> 4) & 0x07;
  const mantissa = value & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign ? -magnitude : magnitude;
}

export function mulawSamples(payloads: Buffer[]): Int16Array {
  const total = payloads.reduce((sum, payload) => sum + payload.length, 0);
  const samples = new Int16Array(total);
  let index = 0;
  for (const payload of payloads) for (const byte of payload) samples[index++] = mulawToLinear(byte);
  return samples;
}
