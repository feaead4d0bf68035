import { describe, expect, it } from 'vitest';
import { parseMultipartBody } from './multipart-body.js';

const body = Buffer.from(
  'preamble\r\n--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n--b1\r\nContent-Type: application/isup;\r\n version=itu-t92+\r\n' +
    'Content-Disposition: signal\r\n\r\n\x01\x00\x02\r\n--b1--\r\nepilogue',
  'latin1',
);

describe('parseMultipartBody', () => {
  it('splits parts with their headers (folded) and binary bodies', () => {
    const parts = parseMultipartBody(body, 'b1');
    expect(parts).toHaveLength(2);
    expect(parts![0]!.headers.get('Content-Type')).toBe('application/sdp');
    expect(parts![0]!.body.toString()).toBe('v=0\r\n');
    expect(parts![1]!.headers.get('content-type')).toBe('application/isup; version=itu-t92+');
    expect([...parts![1]!.body]).toEqual([1, 0, 2]);
  });

  it('accepts a part without headers and a delimiter at the very start', () => {
    const parts = parseMultipartBody(Buffer.from('--x\r\n\r\nraw\r\n--x--'), 'x');
    expect(parts?.[0]?.headers.size).toBe(0);
    expect(parts?.[0]?.body.toString()).toBe('raw');
  });

  it.each([
    ['no delimiter', 'just text', 'b1'],
    ['no closing delimiter', '--b1\r\nA: b\r\n\r\nx', 'b1'],
    ['bad part header', '--b1\r\nnot a header\r\n\r\nx\r\n--b1--', 'b1'],
    ['empty boundary', '--\r\n\r\n', ''],
  ])('rejects %s', (_label, text, boundary) => {
    expect(parseMultipartBody(Buffer.from(text), boundary)).toBeUndefined();
  });

  it('stops at the part limit', () => {
    const many = `${'--b\r\n\r\nx\r\n'.repeat(10)}--b--`;
    expect(parseMultipartBody(Buffer.from(many), 'b', 5)).toBeUndefined();
    expect(parseMultipartBody(Buffer.from(many), 'b')).toHaveLength(10);
  });
});
