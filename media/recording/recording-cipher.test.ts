import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_BYTES, createRecordingDecryptStream, createRecordingEncryptStream, RecordingDecryptError, unwrapDataKey, wrapDataKey,
} from './recording-cipher.js';

async function encrypt(key: Buffer, plaintext: Buffer, pieces = 7): Promise<Buffer> {
  const size = Math.ceil(plaintext.length / pieces) || 1;
  const parts = Array.from({ length: pieces }, (_, index) => plaintext.subarray(index * size, (index + 1) * size)).filter((part) => part.length > 0);
  return buffer(Readable.from(parts).pipe(createRecordingEncryptStream(key)));
}

function decrypt(key: Buffer, sealed: Buffer): Promise<Buffer> {
  return buffer(Readable.from([sealed.subarray(0, 1000), sealed.subarray(1000)]).pipe(createRecordingDecryptStream(key)));
}

describe('recording cipher', () => {
  it('round-trips empty, small and multi-chunk data, in any piece sizes', async () => {
    const key = randomBytes(32);
    for (const length of [0, 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 17]) {
      const plaintext = randomBytes(length);
      expect((await decrypt(key, await encrypt(key, plaintext))).equals(plaintext)).toBe(true);
    }
  });

  it('refuses a wrong key, an altered byte, a cut-off end and a dropped chunk', async () => {
    const key = randomBytes(32);
    const sealed = await encrypt(key, randomBytes(2 * CHUNK_BYTES + 5));
    await expect(decrypt(randomBytes(32), sealed)).rejects.toThrow(RecordingDecryptError);
    const altered = Buffer.from(sealed);
    altered[CHUNK_BYTES + 100] = altered[CHUNK_BYTES + 100]! ^ 1;
    await expect(decrypt(key, altered)).rejects.toThrow(RecordingDecryptError);
    // Cut exactly at a chunk boundary: the remaining last chunk is not flagged last.
    await expect(decrypt(key, sealed.subarray(0, 20 + CHUNK_BYTES + 16))).rejects.toThrow(RecordingDecryptError);
    const dropped = Buffer.concat([sealed.subarray(0, 20), sealed.subarray(20 + CHUNK_BYTES + 16)]);
    await expect(decrypt(key, dropped)).rejects.toThrow(RecordingDecryptError);
  });

  it('wraps a data key for one recording only', () => {
    const master = randomBytes(32);
    const dataKey = randomBytes(32);
    const wrapped = wrapDataKey(master, dataKey, 'rec-1');
    expect(unwrapDataKey(master, wrapped, 'rec-1').equals(dataKey)).toBe(true);
    expect(() => unwrapDataKey(master, wrapped, 'rec-2')).toThrow(/does not open the data key of recording rec-2/);
    expect(() => unwrapDataKey(randomBytes(32), wrapped, 'rec-1')).toThrow(RecordingDecryptError);
  });
});
