// The prompt library with the real sox and espeak-ng.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dominantTone } from '../../test/support/tone-detect.js';
import { PromptLibrary, PromptProvisioningError } from './prompt-library.js';
import { decodeWave64 } from './wave64-pcm.js';

function samples(file: string): Int16Array {
  const pcm = decodeWave64(readFileSync(file));
  return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
}

describe('PromptLibrary', () => {
  it('converts a WAV to 8 kHz mono once, cached by content, and renders text with espeak-ng', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpop-prompt-lib-'));
    const source = join(dir, 'tone.wav');
    execFileSync('sox', ['-n', '-r', '48000', '-c', '2', '-b', '24', source, 'synth', '0.5', 'sine', '600']);
    const library = new PromptLibrary({ cacheDir: join(dir, 'cache') });
    const [tone, same, text] = await library.provision([
      { name: 'tone', file: source }, { name: 'tone-again', file: source }, { name: 'welcome', text: 'Welcome to VPOP' },
    ]);
    expect(tone!.durationMs).toBe(500);
    expect(same!.file).toBe(tone!.file);
    expect(dominantTone(samples(tone!.file), 8000, [600, 1000]).frequency).toBe(600);
    expect(text!.durationMs).toBeGreaterThan(500);
    // Cached prompts are not RIFF files (docs/media.md: the state directory scan).
    for (const name of readdirSync(join(dir, 'cache'))) expect(readFileSync(join(dir, 'cache', name)).toString('ascii', 0, 4)).not.toBe('RIFF');
    const sequence = await library.sequence(['tone', 'welcome']);
    expect(sequence.durationMs).toBe(tone!.durationMs + text!.durationMs);
    expect(samples(sequence.file).length).toBe(samples(tone!.file).length + samples(text!.file).length);
  });

  it('names every prompt that cannot be provisioned, and why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpop-prompt-lib-'));
    writeFileSync(join(dir, 'broken.wav'), 'this is not audio');
    const library = new PromptLibrary({ cacheDir: join(dir, 'cache') });
    const attempt = library.provision([
      { name: 'missing', file: join(dir, 'missing.wav') }, { name: 'broken', file: join(dir, 'broken.wav') }, { name: 'blank', text: '  ' },
    ]);
    await expect(attempt).rejects.toThrow(PromptProvisioningError);
    const problems = await attempt.catch((error: PromptProvisioningError) => error.problems);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^prompt "missing" \(file .*missing\.wav\): file not found$/);
    expect(problems[1]).toMatch(/^prompt "broken" \(file .*broken\.wav\): \/usr\/bin\/sox exited with 2/);
    expect(problems[2]).toBe('prompt "blank" (text): text is empty');
    expect(() => library.get('missing')).toThrow(/was not provisioned/);
  });
});
