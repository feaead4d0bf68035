// Recordings at rest: AES-256-GCM in fixed-size chunks (the STREAM construction), so a
// recording can be encrypted as it is produced and decrypted as a stream, with every
// chunk authenticated before any of its bytes is released, and a truncated or reordered
// file refused. Each recording has its own data key; the data key is stored only wrapped
// (AES-256-GCM) by the master key, so rotating the master key re-wraps keys, not audio.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const MAGIC = Buffer.from('VPOPENC1', 'ascii');
const HEADER_BYTES = 20;
const TAG_BYTES = 16;
export const CHUNK_BYTES = 65_536;

/** Decryption failed: wrong key, or the file was altered or cut short. */
export class RecordingDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingDecryptError';
  }
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** A short, non-secret name of a master key: the first 8 bytes of its SHA-256, in hex. */
export function masterKeyId(masterKey: Buffer): string {
  return createHash('sha256').update(masterKey).digest().subarray(0, 8).toString('hex');
}

/** Small values (a wrapped data key, the caller's number): nonce, ciphertext, tag. */
export function sealSmall(key: Buffer, plaintext: Buffer, context: string): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

export function openSmall(key: Buffer, sealed: Buffer, context: string): Buffer {
  if (sealed.length < 12 + TAG_BYTES) throw new RecordingDecryptError('sealed value is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new RecordingDecryptError(`cannot open ${context}: wrong key or altered data`);
  }
}

export function wrapDataKey(masterKey: Buffer, dataKey: Buffer, recordingId: string): Buffer {
  return sealSmall(masterKey, dataKey, `vpop-recording-key:${recordingId}`);
}

export function unwrapDataKey(masterKey: Buffer, wrapped: Buffer, recordingId: string): Buffer {
  try {
    return openSmall(masterKey, wrapped, `vpop-recording-key:${recordingId}`);
  } catch {
    throw new RecordingDecryptError(`the master key (id ${masterKeyId(masterKey)}) does not open the data key of recording ${recordingId}`);
  }
}

function chunkNonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0, 0, 7);
  nonce.writeUInt32BE(counter, 7);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

function sealChunk(key: Buffer, header: Buffer, counter: number, last: boolean, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, chunkNonce(header.subarray(12, 19), counter, last));
  cipher.setAAD(header);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function openChunk(key: Buffer, header: Buffer, counter: number, last: boolean, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, chunkNonce(header.subarray(12, 19), counter, last));
  decipher.setAAD(header);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new RecordingDecryptError(`chunk ${counter} failed authentication: wrong key, or the file was altered or cut short`);
  }
}

/** Encrypts a byte stream with a data key: the header, then sealed chunks, the last one flagged. */
export function createRecordingEncryptStream(dataKey: Buffer): Transform {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(CHUNK_BYTES, 8);
  randomBytes(7).copy(header, 12);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let counter = 0;
  let headerSent = false;
  return new Transform({
    transform(piece: Buffer, _encoding, callback: TransformCallback) {
      if (!headerSent) {
        this.push(header);
        headerSent = true;
      }
      pending.push(piece);
      pendingBytes += piece.length;
      // Keep at least one byte back: the last chunk is only known at the end.
      while (pendingBytes > CHUNK_BYTES) {
        const all = Buffer.concat(pending);
        this.push(sealChunk(dataKey, header, counter++, false, all.subarray(0, CHUNK_BYTES)));
        pending = [all.subarray(CHUNK_BYTES)];
        pendingBytes = all.length - CHUNK_BYTES;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (!headerSent) this.push(header);
      this.push(sealChunk(dataKey, header, counter, true, Buffer.concat(pending)));
      callback();
    },
  });
}

/** Decrypts what createRecordingEncryptStream wrote; errors with RecordingDecryptError, never releasing unauthenticated bytes. */
export function createRecordingDecryptStream(dataKey: Buffer): Transform {
  let header: Buffer | undefined;
  let pending = Buffer.alloc(0);
  let counter = 0;
  let sealedChunk = CHUNK_BYTES + TAG_BYTES;
  return new Transform({
    transform(piece: Buffer, _encoding, callback: TransformCallback) {
      pending = Buffer.concat([pending, piece]);
      try {
        if (!header) {
          if (pending.length < HEADER_BYTES) return callback();
          header = pending.subarray(0, HEADER_BYTES);
          if (!header.subarray(0, 8).equals(MAGIC)) throw new RecordingDecryptError('not a VPOP encrypted recording');
          sealedChunk = header.readUInt32BE(8) + TAG_BYTES;
          pending = pending.subarray(HEADER_BYTES);
        }
        // A full chunk followed by more bytes cannot be the last one.
        while (pending.length > sealedChunk) {
          this.push(openChunk(dataKey, header, counter++, false, pending.subarray(0, sealedChunk)));
          pending = pending.subarray(sealedChunk);
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        if (!header) throw new RecordingDecryptError('encrypted recording is cut short (no header)');
        if (pending.length < TAG_BYTES) throw new RecordingDecryptError('encrypted recording is cut short');
        this.push(openChunk(dataKey, header, counter, true, pending));
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
