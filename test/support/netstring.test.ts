import { describe, expect, it } from 'vitest';
import { encodeNetstring, NetstringDecoder } from './netstring.js';

describe('netstrings', () => {
  it('round-trips payloads, including multi-byte characters', () => {
    const decoder = new NetstringDecoder();
    const payload = JSON.stringify({ command: 'dial', params: 'sip:müller@127.0.0.3' });
    expect(decoder.push(encodeNetstring(payload))).toEqual([payload]);
    expect(encodeNetstring('abc').toString()).toBe('3:abc,');
  });

  it('reassembles payloads split across reads and splits several in one read', () => {
    const decoder = new NetstringDecoder();
    const bytes = Buffer.concat([encodeNetstring('{"a":1}'), encodeNetstring('{"b":2}'), encodeNetstring('')]);
    expect(decoder.push(bytes.subarray(0, 3))).toEqual([]);
    expect(decoder.push(bytes.subarray(3, 12))).toEqual(['{"a":1}']);
    expect(decoder.push(bytes.subarray(12))).toEqual(['{"b":2}', '']);
  });

  it('rejects malformed framing', () => {
    expect(() => new NetstringDecoder().push(Buffer.from('x:abc,'))).toThrow(/length prefix/);
    expect(() => new NetstringDecoder().push(Buffer.from('3:abcd'))).toThrow(/comma/);
    expect(() => new NetstringDecoder().push(Buffer.from('1234567890'))).toThrow(/too long/);
  });
});
