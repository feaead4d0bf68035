import { describe, expect, it } from 'vitest';
import { dominantTone, tonePower, wavSamples } from './tone-detect.js';

const RATE = 8000;

function sine(frequency: number, seconds: number, amplitude = 8000): Int16Array {
  const samples = new Int16Array(Math.round(RATE * seconds));
  for (let index = 0; index < samples.length; index++) samples[index] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * index) / RATE));
  return samples;
}

function wavOf(samples: Int16Array): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.length * 2, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.length * 2, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer)]);
}

describe('tone detection', () => {
  it('finds a 1000 Hz tone over 440 Hz, and the reverse', () => {
    expect(dominantTone(sine(1000, 1), RATE, [1000, 440])).toMatchObject({ frequency: 1000 });
    expect(dominantTone(sine(440, 1), RATE, [1000, 440]).frequency).toBe(440);
    expect(dominantTone(sine(1000, 1), RATE, [1000, 440]).ratio).toBeGreaterThan(100);
  });

  it('finds the louder tone in a mix and reports silence as powerless', () => {
    const mix = sine(1000, 1, 6000).map((value, index) => value + (sine(440, 1, 1500)[index] ?? 0));
    expect(dominantTone(mix, RATE, [440, 1000]).frequency).toBe(1000);
    expect(tonePower(new Int16Array(800), RATE, 1000)).toBe(0);
    expect(tonePower([], RATE, 1000)).toBe(0);
  });

  it('reads the samples of a PCM WAV and rejects other files', () => {
    const samples = sine(1000, 0.1);
    expect(Array.from(wavSamples(wavOf(samples)))).toEqual(Array.from(samples));
    expect(() => wavSamples(Buffer.from('not a wav file at all, really'))).toThrow(/RIFF/);
  });
});
