// Sony Wave64 (W64) files holding 8 kHz 16-bit little-endian PCM: the form cached prompts
// are kept in. rtpengine's player (ffmpeg) plays W64 like WAV, and W64 does not start with
// "RIFF", so a scan of the state directory for clear call audio (RIFF/pcap headers) does
// not trip over prompts, which are not call audio.

const GUID_TAIL_RIFF = Buffer.from('2e91cf11a5d628db04c10000', 'hex');
const GUID_TAIL_WAVE = Buffer.from('f3acd3118cd100c04f8edb8a', 'hex');

function guid(name: string, tail: Buffer): Buffer {
  return Buffer.concat([Buffer.from(name, 'ascii'), tail]);
}

const RIFF = guid('riff', GUID_TAIL_RIFF);
const WAVE = guid('wave', GUID_TAIL_WAVE);
const FMT = guid('fmt ', GUID_TAIL_WAVE);
const DATA = guid('data', GUID_TAIL_WAVE);

export const PROMPT_SAMPLE_RATE = 8000;

/** A W64 file around mono 16-bit PCM at `sampleRate`. */
export function encodeWave64(pcm: Buffer, sampleRate = PROMPT_SAMPLE_RATE): Buffer {
  const format = Buffer.alloc(16);
  format.writeUInt16LE(1, 0); // PCM
  format.writeUInt16LE(1, 2); // mono
  format.writeUInt32LE(sampleRate, 4);
  format.writeUInt32LE(sampleRate * 2, 8);
  format.writeUInt16LE(2, 12);
  format.writeUInt16LE(16, 14);
  const fmtChunk = chunk(FMT, format);
  const dataChunk = chunk(DATA, pcm);
  const size = 16 + 8 + 16 + fmtChunk.length + dataChunk.length;
  const header = Buffer.alloc(24);
  RIFF.copy(header, 0);
  header.writeBigUInt64LE(BigInt(size), 16);
  return Buffer.concat([header, WAVE, fmtChunk, dataChunk]);
}

/** The PCM samples of a W64 file written by encodeWave64; throws on anything else. */
export function decodeWave64(file: Buffer): Buffer {
  if (file.length < 40 || !file.subarray(0, 16).equals(RIFF) || !file.subarray(24, 40).equals(WAVE)) {
    throw new Error('not a Wave64 file');
  }
  let offset = 40;
  while (offset + 24 <= file.length) {
    const id = file.subarray(offset, offset + 16);
    const size = Number(file.readBigUInt64LE(offset + 16));
    if (size < 24) throw new Error('Wave64 chunk with a size below its header');
    if (id.equals(DATA)) return file.subarray(offset + 24, Math.min(file.length, offset + size));
    offset += size + ((8 - (size % 8)) % 8);
  }
  throw new Error('Wave64 file has no data chunk');
}

function chunk(id: Buffer, body: Buffer): Buffer {
  const header = Buffer.alloc(24);
  id.copy(header, 0);
  header.writeBigUInt64LE(BigInt(24 + body.length), 16);
  const padding = Buffer.alloc((8 - (body.length % 8)) % 8);
  return Buffer.concat([header, body, padding]);
}
