import { describe, expect, it } from 'vitest';
import { StreamFramer, StreamFramingError, contentLengthOf } from './stream-framer.js';

const LIMITS = { maxMessageBytes: 4096, maxHeaderBytes: 2048 };

function sipMessage(body = '', lengthHeader = 'Content-Length', extra = ''): string {
  return (
    'OPTIONS sip:edge@127.0.0.1 SIP/2.0\r\n' +
    'Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-1\r\n' +
    'Call-ID: abc\r\nCSeq: 1 OPTIONS\r\n' +
    extra +
    `${lengthHeader}: ${Buffer.byteLength(body)}\r\n\r\n` +
    body
  );
}

function collector(limits = LIMITS) {
  const messages: string[] = [];
  let pings = 0;
  const framer = new StreamFramer({
    limits,
    onMessage: (raw) => messages.push(raw.toString('latin1')),
    onPing: () => pings++,
  });
  return { framer, messages, pings: () => pings };
}

function failureOf(action: () => void): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof StreamFramingError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('contentLengthOf', () => {
  const header = (text: string) => Buffer.from(`${text}\r\n\r\n`, 'latin1');
  it('reads long and compact forms, any case, with spaces before the colon', () => {
    expect(contentLengthOf(header('INVITE sip:x SIP/2.0\r\nContent-Length: 42\r\nVia: x'))).toBe(42);
    expect(contentLengthOf(header('SIP/2.0 200 OK\r\nl : 7 \r\nVia: x'))).toBe(7);
    expect(contentLengthOf(header('SIP/2.0 200 OK\r\nCONTENT-LENGTH:\t0'))).toBe(0);
  });
  it('ignores headers that only begin like Content-Length, and the start line', () => {
    expect(contentLengthOf(header('SIP/2.0 200 OK\r\nContent-Length-X: 9\r\nLocation: 3\r\nContent-Type: a/b'))).toBe(-1);
    expect(contentLengthOf(header('l: 5 sip:x SIP/2.0\r\nVia: x'))).toBe(-1);
  });
  it('does not read past the blank line into the body', () => {
    expect(contentLengthOf(Buffer.from('SIP/2.0 200 OK\r\nVia: x\r\n\r\nContent-Length: 5\r\n'))).toBe(-1);
  });
  it('rejects non-numeric and conflicting values, accepts agreeing duplicates', () => {
    expect(failureOf(() => contentLengthOf(header('SIP/2.0 200 OK\r\nContent-Length: 1x')))).toBe('invalid-content-length');
    expect(failureOf(() => contentLengthOf(header('SIP/2.0 200 OK\r\nContent-Length:')))).toBe('invalid-content-length');
    expect(failureOf(() => contentLengthOf(header('SIP/2.0 200 OK\r\nContent-Length: 1\r\nl: 2')))).toBe('invalid-content-length');
    expect(contentLengthOf(header('SIP/2.0 200 OK\r\nContent-Length: 2\r\nl: 2'))).toBe(2);
  });
});

describe('StreamFramer', () => {
  it('frames one message with a body', () => {
    const { framer, messages } = collector();
    const text = sipMessage('v=0\r\n');
    framer.push(Buffer.from(text));
    expect(messages).toEqual([text]);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('frames many messages in one chunk without copying them', () => {
    const texts = Array.from({ length: 50 }, (_, i) => sipMessage(`body-${i}`, i % 2 ? 'l' : 'Content-Length'));
    const chunk = Buffer.from(texts.join(''));
    const raws: Buffer[] = [];
    const framer = new StreamFramer({ limits: LIMITS, onMessage: (raw) => raws.push(raw) });
    framer.push(chunk);
    expect(raws.map((raw) => raw.toString())).toEqual(texts);
    // Zero-copy: every message is a view on the received chunk.
    expect(raws.every((raw) => raw.buffer === chunk.buffer)).toBe(true);
  });

  it('frames byte-by-byte feeding identically', () => {
    const texts = [sipMessage('hello'), sipMessage(''), sipMessage('x'.repeat(300), 'l')];
    const { framer, messages } = collector();
    const all = Buffer.from(texts.join('\r\n'));
    for (let i = 0; i < all.length; i++) framer.push(all.subarray(i, i + 1));
    expect(messages).toEqual(texts);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('frames every split point of two messages', () => {
    const texts = [sipMessage('abc\r\n\r\ndef'), sipMessage('')];
    const all = Buffer.from(texts.join(''));
    for (let split = 1; split < all.length; split++) {
      const { framer, messages } = collector();
      framer.push(all.subarray(0, split));
      framer.push(all.subarray(split));
      expect(messages, `split at ${split}`).toEqual(texts);
    }
  });

  it('frames random chunkings of a long stream', () => {
    const texts = Array.from({ length: 200 }, (_, i) => sipMessage('b'.repeat(i * 7)));
    const all = Buffer.from(texts.join(''));
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const { framer, messages } = collector({ maxMessageBytes: 8192, maxHeaderBytes: 2048 });
    let at = 0;
    while (at < all.length) {
      const size = 1 + (next() % 3000);
      framer.push(all.subarray(at, at + size));
      at += size;
    }
    expect(messages).toEqual(texts);
  });

  it('reports a CRLFCRLF ping between messages and ignores a lone CRLF', () => {
    const { framer, messages, pings } = collector();
    framer.push(Buffer.from('\r\n\r\n'));
    expect(pings()).toBe(1);
    framer.push(Buffer.from('\r\n'));
    expect(pings()).toBe(1);
    framer.push(Buffer.from(sipMessage('a') + '\r\n\r\n' + '\r\n\r\n' + sipMessage('b')));
    expect(pings()).toBe(3);
    expect(messages).toHaveLength(2);
  });

  it('recognises a ping split across chunks', () => {
    const { framer, pings } = collector();
    for (const byte of ['\r', '\n', '\r', '\n']) framer.push(Buffer.from(byte));
    expect(pings()).toBe(1);
  });

  it('does not treat CRLFCRLF inside a body as a ping', () => {
    const { framer, messages, pings } = collector();
    const text = sipMessage('\r\n\r\n\r\n\r\n');
    framer.push(Buffer.from(text));
    expect(messages).toEqual([text]);
    expect(pings()).toBe(0);
  });

  it('fails when Content-Length is missing', () => {
    const { framer } = collector();
    const text = 'OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n';
    expect(failureOf(() => framer.push(Buffer.from(text)))).toBe('missing-content-length');
  });

  it('fails when Content-Length is missing in a message that straddles chunks', () => {
    const { framer } = collector();
    framer.push(Buffer.from('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n'));
    expect(failureOf(() => framer.push(Buffer.from('\r\n')))).toBe('missing-content-length');
  });

  it('fails when the declared message is larger than the limit, before buffering the body', () => {
    const { framer } = collector();
    expect(failureOf(() => framer.push(Buffer.from(sipMessage().replace('Content-Length: 0', 'Content-Length: 999999'))))).toBe(
      'message-too-large',
    );
  });

  it('accepts a header section of exactly the limit and refuses one byte more', () => {
    const base = sipMessage('');
    const pad = (size: number) => sipMessage('', 'Content-Length', `X-Pad: ${'p'.repeat(size - base.length - 9)}\r\n`);
    const exact = pad(LIMITS.maxHeaderBytes);
    expect(Buffer.byteLength(exact)).toBe(LIMITS.maxHeaderBytes);
    const { framer, messages } = collector();
    framer.push(Buffer.from(exact));
    expect(messages).toEqual([exact]);
    const { framer: strict } = collector();
    expect(failureOf(() => strict.push(Buffer.from(pad(LIMITS.maxHeaderBytes + 1))))).toBe('headers-too-large');
    // The same limits hold when the section arrives in pieces.
    const { framer: pieces, messages: pieceMessages } = collector();
    for (let i = 0; i < exact.length; i += 100) pieces.push(Buffer.from(exact.slice(i, i + 100)));
    expect(pieceMessages).toEqual([exact]);
  });

  it('fails when the header section grows past its limit without ending', () => {
    const { framer } = collector();
    framer.push(Buffer.from('OPTIONS sip:x SIP/2.0\r\n'));
    let failure: string | undefined;
    for (let i = 0; i < 100 && failure === undefined; i++) {
      failure = failureOf(() => framer.push(Buffer.from(`X-Filler-${i}: ${'y'.repeat(60)}\r\n`)));
    }
    expect(failure).toBe('headers-too-large');
  });

  it('fails at once on one oversized chunk without a header end', () => {
    const { framer } = collector();
    expect(failureOf(() => framer.push(Buffer.alloc(3000, 0x41)))).toBe('headers-too-large');
  });

  it('fails when a complete header section exceeds its limit', () => {
    const { framer } = collector();
    const text = sipMessage('', 'Content-Length', `X-Big: ${'z'.repeat(2100)}\r\n`);
    expect(failureOf(() => framer.push(Buffer.from(text)))).toBe('headers-too-large');
  });

  it('delivers messages preceding a bad one in the same chunk', () => {
    const { framer, messages } = collector();
    const chunk = sipMessage('ok') + 'BYE sip:x SIP/2.0\r\nCall-ID: y\r\n\r\n';
    expect(failureOf(() => framer.push(Buffer.from(chunk)))).toBe('missing-content-length');
    expect(messages).toEqual([sipMessage('ok')]);
  });

  it('hands out buffers that later input does not overwrite', () => {
    const raws: Buffer[] = [];
    const framer = new StreamFramer({ limits: LIMITS, onMessage: (raw) => raws.push(raw) });
    const first = sipMessage('first-body');
    const second = sipMessage('other-body');
    const stream = Buffer.from(first + second);
    for (let i = 0; i < stream.length; i += 5) framer.push(stream.subarray(i, i + 5));
    expect(raws.map((raw) => raw.toString())).toEqual([first, second]);
  });
});
