// Framing of the drachtio control protocol: every message is
// `<byteLength>#<payload>`, where byteLength counts the UTF-8 bytes of payload.
// The reader is fed untrusted bytes from an app connection, so it bounds what it
// buffers and reports a malformed length instead of waiting forever.

export class ControlFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlFrameError';
  }
}

/** Most digits a length prefix may have; 8 digits already exceed any sane frame. */
const MAX_LENGTH_DIGITS = 8;
const HASH = 0x23;

export interface ControlFrameReaderOptions {
  /** Largest payload accepted, in bytes. */
  maxFrameBytes?: number;
}

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

export function encodeFrame(payload: string): Buffer {
  const length = Buffer.byteLength(payload, 'utf8');
  const prefix = `${length}#`;
  const buf = Buffer.allocUnsafe(prefix.length + length);
  buf.write(prefix, 0, 'latin1');
  buf.write(payload, prefix.length, 'utf8');
  return buf;
}

/**
 * Splits a byte stream into payload strings. `push` returns the complete
 * payloads found so far and throws ControlFrameError on a malformed or
 * oversized length prefix; the caller then closes the connection.
 */
export class ControlFrameReader {
  /** Chunks received since the last complete frame, not yet joined. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes the frame at the head of `chunks` needs in all (prefix + payload), once its prefix is read. */
  private needed: number | undefined;
  /** Largest payload accepted from here on (a connection raises it once authenticated). */
  maxFrameBytes: number;

  constructor(options: ControlFrameReaderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Chunks of a large frame are only collected until the frame is complete, then joined
   * once: each byte is copied a bounded number of times, not once per chunk (which made a
   * 1 MiB frame in 64 KiB chunks quadratic, before authentication).
   */
  push(chunk: Buffer): string[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.needed !== undefined && this.buffered < this.needed) return [];
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const frames: string[] = [];
    let offset = 0;
    this.needed = undefined;
    while (offset < data.length) {
      const header = readLengthPrefix(data, offset, this.maxFrameBytes);
      if (header === undefined) break;
      const start = offset + header.prefixBytes;
      const end = start + header.length;
      if (end > data.length) {
        this.needed = end - offset;
        break;
      }
      frames.push(data.toString('utf8', start, end));
      offset = end;
    }
    // Copy the remainder so the reader never pins large socket buffers.
    const rest = data.length - offset;
    this.chunks = rest === 0 ? [] : [Buffer.from(data.subarray(offset))];
    this.buffered = rest;
    return frames;
  }
}

interface LengthPrefix {
  length: number;
  prefixBytes: number;
}

/** Length prefix at offset, undefined when more bytes are needed. */
function readLengthPrefix(data: Buffer, offset: number, maxFrameBytes: number): LengthPrefix | undefined {
  let length = 0;
  let digits = 0;
  for (let i = offset; i < data.length; i++) {
    const byte = data[i]!;
    if (byte === HASH) {
      if (digits === 0) throw new ControlFrameError('missing length before #');
      if (length === 0) throw new ControlFrameError('zero-length frame');
      return { length, prefixBytes: digits + 1 };
    }
    if (byte < 0x30 || byte > 0x39) throw new ControlFrameError(`invalid byte 0x${byte.toString(16)} in length prefix`);
    digits++;
    if (digits > MAX_LENGTH_DIGITS) throw new ControlFrameError('length prefix too long');
    length = length * 10 + (byte - 0x30);
    if (length > maxFrameBytes) throw new ControlFrameError(`frame of ${length} bytes exceeds limit of ${maxFrameBytes}`);
  }
  return undefined;
}
