import { describe, expect, it, vi } from 'vitest';
import { ControlFrameError, ControlFrameReader, encodeFrame } from './control-frame.js';

describe('control-protocol framing', () => {
  it('round-trips UTF-8 payloads, counting bytes not characters', () => {
    const payload = 'a|sip|x\r\nINVITE sip:ü@example.com SIP/2.0\r\n\r\n';
    const frame = encodeFrame(payload);
    expect(frame.toString('utf8').startsWith(`${Buffer.byteLength(payload)}#`)).toBe(true);
    expect(new ControlFrameReader().push(frame)).toEqual([payload]);
  });

  it('reassembles frames split anywhere, including inside the length prefix', () => {
    const payloads = ['1|ping', '2|route|invite', '3|authenticate|s3cret|a,b'];
    const stream = Buffer.concat(payloads.map(encodeFrame));
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new ControlFrameReader();
      const out = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(out).toEqual(payloads);
      expect(reader.bufferedBytes).toBe(0);
    }
  });

  it('delivers several frames from one chunk and keeps a partial one', () => {
    const reader = new ControlFrameReader();
    const stream = Buffer.concat([encodeFrame('1|ping'), encodeFrame('2|ping'), Buffer.from('10#12')]);
    expect(reader.push(stream)).toEqual(['1|ping', '2|ping']);
    expect(reader.bufferedBytes).toBe(5);
  });

  it.each([
    ['a non-digit prefix', 'abc#1|ping'],
    ['a missing length', '#1|ping'],
    ['a zero length', '0#'],
    ['a prefix longer than 8 digits', '123456789'],
  ])('rejects %s', (_label, input) => {
    expect(() => new ControlFrameReader().push(Buffer.from(input))).toThrow(ControlFrameError);
  });

  it('joins the chunks of a large frame once, not once per chunk (issue 8: quadratic copying before authentication)', () => {
    const payload = 'x'.repeat(1024 * 1024 - 16);
    const wire = encodeFrame(payload);
    const reader = new ControlFrameReader();
    const concat = vi.spyOn(Buffer, 'concat');
    const frames: string[] = [];
    try {
      for (let offset = 0; offset < wire.length; offset += 1024) frames.push(...reader.push(wire.subarray(offset, offset + 1024)));
      // Only the prefix chunk may need a join before the length is known; then one join at completion.
      expect(concat.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      concat.mockRestore();
    }
    expect(frames).toEqual([payload]);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('rejects a frame longer than the limit before buffering it', () => {
    const reader = new ControlFrameReader({ maxFrameBytes: 100 });
    expect(() => reader.push(Buffer.from('101#'))).toThrow(/exceeds limit/);
  });
});
