// Strings and bytes that outlive the message they came from (a tag kept by a lingering
// transaction, the wire bytes of a response resent for 32 s) must not pin that message:
// V8 keeps substrings of 13+ characters as slices of their parent string, and Node
// hands out small Buffers as slices of a shared 8 KiB pool slab.

/** A copy of `text` that does not share storage with the string it was cut from. */
export function ownString(text: string): string;
export function ownString(text: string | undefined): string | undefined;
export function ownString(text: string | undefined): string | undefined {
  return text === undefined || text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/** `bytes` in memory of their own (not a slice of a pool slab or of a larger read). */
export function ownBytes(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return bytes;
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}
