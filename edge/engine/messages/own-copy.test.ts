import { describe, expect, it } from 'vitest';
import { ownBytes, ownString } from './own-copy.js';

describe('ownString / ownBytes', () => {
  it('keeps the text and the bytes', () => {
    const text = 'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-1234567890';
    expect(ownString(text.slice(5, 40))).toBe(text.slice(5, 40));
    expect(ownString('short')).toBe('short');
    expect(ownString(undefined)).toBeUndefined();
    const pooled = Buffer.from('SIP/2.0 200 OK\r\n\r\n');
    const copy = ownBytes(pooled);
    expect(copy.equals(pooled)).toBe(true);
    expect(copy.buffer.byteLength).toBe(pooled.length);
  });

  it('copies a slice of a larger buffer, and returns a buffer that owns its memory as is', () => {
    const read = Buffer.alloc(65536, 0x41);
    const message = read.subarray(100, 600);
    const copy = ownBytes(message);
    expect(copy.buffer.byteLength).toBe(500);
    expect(ownBytes(copy)).toBe(copy);
  });
});
