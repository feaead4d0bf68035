/**
 * Goertzel power of one frequency in a block of PCM samples: how we check that a recorded
 * call leg carries the far end's test tone (e.g. 1000 Hz from one side, 440 Hz from the other).
 */
export function tonePower(samples: ArrayLike<number>, sampleRate: number, frequency: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (let index = 0; index < samples.length; index++) {
    const current = (samples[index] ?? 0) + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  const power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  return samples.length === 0 ? 0 : power / (samples.length * samples.length);
}

/** Which of the candidate frequencies is strongest, and by how many times over the runner-up. */
export function dominantTone(
  samples: ArrayLike<number>,
  sampleRate: number,
  candidates: readonly number[],
): { frequency: number; ratio: number } {
  const ranked = candidates
    .map((frequency) => ({ frequency, power: tonePower(samples, sampleRate, frequency) }))
    .sort((a, b) => b.power - a.power);
  const best = ranked[0];
  if (!best) throw new Error('dominantTone needs at least one candidate frequency');
  const runnerUp = ranked[1]?.power ?? 0;
  return { frequency: best.frequency, ratio: runnerUp === 0 ? Number.POSITIVE_INFINITY : best.power / runnerUp };
}

/** The samples of a 16-bit little-endian mono PCM WAV file (the "data" chunk). */
export function wavSamples(wav: Buffer): Int16Array {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'data') {
      const end = Math.min(wav.length, offset + 8 + size);
      const samples = new Int16Array((end - offset - 8) >> 1);
      for (let index = 0; index < samples.length; index++) samples[index] = wav.readInt16LE(offset + 8 + index * 2);
      return samples;
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error('WAV file has no data chunk');
}
