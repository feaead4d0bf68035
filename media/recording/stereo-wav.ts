// The joined recording as a 16-bit stereo WAV (caller left, agent right), produced in
// pieces so it can be encrypted as it is made and never exists whole in clear.

/** The WAV file in pieces: the header, then interleaved samples, `samplesPerPiece` frames at a time. */
export function* stereoWavPieces(left: Int16Array, right: Int16Array, sampleRate: number, samplesPerPiece = 16_384): Generator<Buffer> {
  const frames = Math.max(left.length, right.length);
  const dataBytes = frames * 4;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  yield header;
  for (let start = 0; start < frames; start += samplesPerPiece) {
    const count = Math.min(samplesPerPiece, frames - start);
    const piece = Buffer.alloc(count * 4);
    for (let index = 0; index < count; index++) {
      piece.writeInt16LE(left[start + index] ?? 0, index * 4);
      piece.writeInt16LE(right[start + index] ?? 0, index * 4 + 2);
    }
    yield piece;
  }
}
