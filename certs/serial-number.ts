// Certificate serial numbers: 128 random bits (CA/Browser Forum asks for at least 64),
// DER-encoded as a positive INTEGER. node-forge writes the hex string's bytes as they
// are, so this must already be the minimal two's-complement form.
import { randomBytes } from 'node:crypto';

/** Hex serial for node-forge from 16 random bytes: positive and minimally encoded. */
export function serialNumberFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a serial number needs 16 random bytes, got ${bytes.length}`);
  const value = Buffer.from(bytes);
  // A leading zero byte would be a non-minimal encoding and a zero serial is forbidden.
  if (value[0] === 0) value[0] = 1;
  const hex = value.toString('hex');
  // A set top bit would read as negative: prefix a zero byte.
  return (value[0] ?? 0) >= 0x80 ? `00${hex}` : hex;
}

export function randomSerialNumber(): string {
  return serialNumberFromBytes(randomBytes(16));
}
