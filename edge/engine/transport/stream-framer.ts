// Content-Length framing of SIP over a byte stream (RFC 3261 §18.3), with RFC 5626
// keep-alives. Complete messages are handed out as Buffers without copying when
// they sit inside one received chunk (the usual case); only a message that
// straddles chunks is copied, once, into a buffer that then becomes the message.

/** Why a stream can no longer be framed; the connection must be closed. */
export type StreamFramingFailure =
  | 'missing-content-length'
  | 'invalid-content-length'
  | 'headers-too-large'
  | 'message-too-large';

export class StreamFramingError extends Error {
  constructor(
    readonly reason: StreamFramingFailure,
    detail: string,
  ) {
    super(`SIP stream framing failed (${reason}): ${detail}`);
    this.name = 'StreamFramingError';
  }
}

export interface StreamFramerLimits {
  /** Largest whole message (header section + body) accepted. */
  maxMessageBytes: number;
  /** Largest header section (start line to the blank line, inclusive) accepted. */
  maxHeaderBytes: number;
}

export interface StreamFramerOptions {
  limits: StreamFramerLimits;
  /** A complete message. The buffer is the caller's to keep; the framer never writes to it again. */
  onMessage: (raw: Buffer) => void;
  /** A CRLFCRLF keep-alive ping arrived between messages; answer it with one CRLF. */
  onPing?: () => void;
}

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
const COLON = 58;
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const MIN_BUFFER = 1024;

/** Byte-wise, lower-case-insensitive compare of `name` (already lower case) at `at`. */
function nameAt(buf: Buffer, at: number, end: number, name: string): number {
  if (at + name.length > end) return -1;
  for (let i = 0; i < name.length; i++) {
    if (((buf[at + i] ?? 0) | 0x20) !== name.charCodeAt(i)) return -1;
  }
  return at + name.length;
}

/** Result slot of scanHeaderSection, reused to keep the hot path allocation-free. */
export interface HeaderScan {
  /** Offset just past the blank line ending the header section, or -1 if not within the bytes scanned. */
  headerEnd: number;
  /** Content-Length (long or compact form), or -1 when absent. */
  contentLength: number;
}

/**
 * Walks the header section of the message starting at `start`, line by line
 * (a native indexOf per line is cheaper than a byte loop at SIP sizes), and
 * finds both the blank line that ends it and the Content-Length. Stops at
 * `end`; a line cut off there is left for the next scan. Several
 * Content-Length headers must agree.
 */
function scanHeaderSection(buf: Buffer, start: number, end: number, out: HeaderScan): void {
  out.headerEnd = -1;
  out.contentLength = -1;
  // The start line cannot be a header; scanning begins at the LF that ends it.
  let lf = buf.indexOf(LF, start);
  while (lf !== -1 && lf < end) {
    const lineStart = lf + 1;
    const first = buf[lineStart];
    if (first === CR && lineStart + 1 < end && buf[lineStart + 1] === LF) {
      out.headerEnd = lineStart + 2;
      return;
    }
    const nextLf = buf.indexOf(LF, lineStart);
    if (nextLf === -1 || nextLf >= end) return;
    const lower = (first ?? 0) | 0x20;
    if (lower === 0x63 /* c */ || lower === 0x6c /* l */) {
      const value = contentLengthOfLine(buf, lineStart, nextLf);
      if (value !== -1) {
        if (out.contentLength !== -1 && out.contentLength !== value) {
          throw new StreamFramingError(
            'invalid-content-length',
            `conflicting Content-Length values ${out.contentLength} and ${value}`,
          );
        }
        out.contentLength = value;
      }
    }
    lf = nextLf;
  }
}

/** The value if the line `buf[from, to)` is a Content-Length header, else -1. */
function contentLengthOfLine(buf: Buffer, from: number, to: number): number {
  let at = nameAt(buf, from, to, 'content-length');
  if (at === -1) at = nameAt(buf, from, to, 'l');
  if (at === -1) return -1;
  while (at < to && (buf[at] === SP || buf[at] === HT)) at++;
  if (buf[at] !== COLON) return -1;
  return parseLengthValue(buf, at + 1, to);
}

/** Content-Length of a complete message's header section (through its blank line), -1 when absent. */
export function contentLengthOf(header: Buffer): number {
  const scan: HeaderScan = { headerEnd: -1, contentLength: -1 };
  scanHeaderSection(header, 0, header.length, scan);
  return scan.contentLength;
}

function parseLengthValue(buf: Buffer, from: number, to: number): number {
  let at = from;
  while (at < to && (buf[at] === SP || buf[at] === HT)) at++;
  let value = 0;
  let digits = 0;
  while (at < to) {
    const byte = buf[at] ?? 0;
    if (byte < 48 || byte > 57) break;
    value = value * 10 + (byte - 48);
    digits++;
    at++;
  }
  while (at < to && (buf[at] === SP || buf[at] === HT || buf[at] === CR)) at++;
  if (digits === 0 || at !== to || digits > 12) {
    throw new StreamFramingError('invalid-content-length', 'Content-Length is not a decimal number');
  }
  return value;
}

/**
 * Feed it chunks in arrival order with push(); it calls onMessage for every
 * complete message and onPing for every keep-alive ping. push() throws
 * StreamFramingError when the stream cannot be framed; the caller closes the
 * connection and drops the framer.
 */
export class StreamFramer {
  private readonly maxMessageBytes: number;
  private readonly maxHeaderBytes: number;
  private readonly onMessage: (raw: Buffer) => void;
  private readonly onPing: (() => void) | undefined;
  /** Bytes of a message that straddles chunks; owned by the framer until the message completes. */
  private partial: Buffer | null = null;
  private partialLength = 0;
  /** Total length of the partial message once its headers are known, else -1. */
  private partialNeeded = -1;
  /** Progress through a CRLFCRLF ping between messages (0-3 bytes matched). */
  private keepAliveMatched = 0;
  private readonly scan: HeaderScan = { headerEnd: -1, contentLength: -1 };

  constructor(options: StreamFramerOptions) {
    this.maxMessageBytes = options.limits.maxMessageBytes;
    this.maxHeaderBytes = Math.min(options.limits.maxHeaderBytes, options.limits.maxMessageBytes);
    this.onMessage = options.onMessage;
    this.onPing = options.onPing;
  }

  /** Bytes held for an incomplete message (for per-connection memory accounting). */
  get bufferedBytes(): number {
    return this.partialLength;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    if (this.partialLength > 0) {
      offset = this.continuePartial(chunk);
      if (offset < 0) return;
    }
    this.frameChunk(chunk, offset);
  }

  /** Extends the straddling message with bytes from chunk; returns where whole-chunk framing resumes, or -1. */
  private continuePartial(chunk: Buffer): number {
    let consumed = 0;
    if (this.partialNeeded < 0) {
      const headerEnd = this.findHeaderEndAcross(chunk);
      if (headerEnd < 0) {
        if (this.partialLength + chunk.length > this.maxHeaderBytes) {
          throw new StreamFramingError('headers-too-large', `header section exceeds ${this.maxHeaderBytes} bytes`);
        }
        this.append(chunk, 0, chunk.length);
        return -1;
      }
      // headerEnd counts bytes of chunk that complete the header section.
      const headerBytes = this.partialLength + headerEnd;
      if (headerBytes > this.maxHeaderBytes) {
        throw new StreamFramingError('headers-too-large', `header section exceeds ${this.maxHeaderBytes} bytes`);
      }
      this.append(chunk, 0, headerEnd);
      consumed = headerEnd;
      scanHeaderSection(this.partial as Buffer, 0, headerBytes, this.scan);
      this.partialNeeded = this.totalLength(headerBytes, this.scan.contentLength);
    }
    const take = Math.min(this.partialNeeded - this.partialLength, chunk.length - consumed);
    this.append(chunk, consumed, consumed + take);
    consumed += take;
    if (this.partialLength === this.partialNeeded) {
      const message = (this.partial as Buffer).subarray(0, this.partialLength);
      this.partial = null;
      this.partialLength = 0;
      this.partialNeeded = -1;
      this.onMessage(message);
      return consumed;
    }
    return -1;
  }

  /** Position in chunk just after a CRLFCRLF that began in the partial bytes or chunk, or -1. */
  private findHeaderEndAcross(chunk: Buffer): number {
    const partial = this.partial as Buffer;
    // The terminator may start in the last 3 buffered bytes.
    for (let back = Math.min(3, this.partialLength); back >= 1; back--) {
      const needFromChunk = 4 - back;
      if (chunk.length < needFromChunk) continue;
      let match = true;
      for (let i = 0; i < 4 && match; i++) {
        const byte = i < back ? partial[this.partialLength - back + i] : chunk[i - back];
        if (byte !== HEADER_END[i]) match = false;
      }
      if (match) return needFromChunk;
    }
    const at = chunk.indexOf(HEADER_END);
    return at < 0 ? -1 : at + 4;
  }

  /** Header section length + Content-Length, validated against the limits. */
  private totalLength(headerBytes: number, contentLength: number): number {
    if (contentLength < 0) {
      throw new StreamFramingError('missing-content-length', 'a message on a stream must carry Content-Length');
    }
    const total = headerBytes + contentLength;
    if (total > this.maxMessageBytes) {
      throw new StreamFramingError('message-too-large', `message of ${total} bytes exceeds ${this.maxMessageBytes}`);
    }
    return total;
  }

  private frameChunk(chunk: Buffer, from: number): void {
    let offset = from;
    const length = chunk.length;
    const scan = this.scan;
    while (offset < length) {
      offset = this.skipKeepAlives(chunk, offset);
      if (offset >= length) return;
      const scanEnd = Math.min(length, offset + this.maxHeaderBytes);
      scanHeaderSection(chunk, offset, scanEnd, scan);
      if (scan.headerEnd < 0) {
        if (scanEnd - offset >= this.maxHeaderBytes) {
          throw new StreamFramingError('headers-too-large', `header section exceeds ${this.maxHeaderBytes} bytes`);
        }
        this.startPartial(chunk, offset, -1);
        return;
      }
      const total = this.totalLength(scan.headerEnd - offset, scan.contentLength);
      if (offset + total > length) {
        this.startPartial(chunk, offset, total);
        return;
      }
      this.onMessage(chunk.subarray(offset, offset + total));
      offset += total;
    }
  }

  /**
   * Skips CR/LF between messages. Each complete CRLFCRLF is a ping (RFC 5626
   * §3.5.1); a lone CRLF is a pong or a bare keep-alive and needs no answer.
   */
  private skipKeepAlives(chunk: Buffer, from: number): number {
    let offset = from;
    while (offset < chunk.length) {
      const byte = chunk[offset];
      if (byte === CR) {
        this.keepAliveMatched = this.keepAliveMatched === 2 ? 3 : 1;
      } else if (byte === LF) {
        if (this.keepAliveMatched === 3) {
          this.keepAliveMatched = 0;
          this.onPing?.();
        } else {
          this.keepAliveMatched = this.keepAliveMatched === 1 ? 2 : 0;
        }
      } else {
        this.keepAliveMatched = 0;
        return offset;
      }
      offset++;
    }
    return offset;
  }

  private startPartial(chunk: Buffer, from: number, needed: number): void {
    const available = chunk.length - from;
    const capacity = needed > 0 ? needed : Math.min(Math.max(MIN_BUFFER, available * 2), this.maxMessageBytes);
    this.partial = Buffer.allocUnsafe(capacity);
    chunk.copy(this.partial, 0, from);
    this.partialLength = available;
    this.partialNeeded = needed;
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const count = to - from;
    if (count <= 0) return;
    let partial = this.partial as Buffer;
    const required = this.partialLength + count;
    const target = this.partialNeeded > 0 ? this.partialNeeded : required;
    if (partial.length < target) {
      // Grow geometrically while the size is unknown, exactly once it is known.
      const capacity = this.partialNeeded > 0 ? target : Math.min(Math.max(partial.length * 2, target), this.maxMessageBytes);
      const grown = Buffer.allocUnsafe(Math.max(capacity, required));
      partial.copy(grown, 0, 0, this.partialLength);
      partial = grown;
      this.partial = grown;
    }
    chunk.copy(partial, this.partialLength, from, to);
    this.partialLength = required;
  }
}
