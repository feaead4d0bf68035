// The prompt library: every prompt converted once, at provisioning time, to 8 kHz mono
// 16-bit PCM (sox) and cached by content hash; text prompts are rendered with espeak-ng
// then, never during a call. A prompt that cannot be read or rendered is an error at
// provisioning that names the prompt, its source and why, not dead air on a call.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWave64, encodeWave64, PROMPT_SAMPLE_RATE } from './wave64-pcm.js';

export type PromptSource =
  | { name: string; file: string }
  | { name: string; text: string; voice?: string };

export interface Prompt {
  name: string;
  /** The cached 8 kHz mono PCM16 file rtpengine plays. */
  file: string;
  durationMs: number;
  /** Content hash the cache file is named after. */
  hash: string;
}

export interface PromptLibraryOptions {
  cacheDir: string;
  soxBinary?: string;
  espeakBinary?: string;
}

export class PromptProvisioningError extends Error {
  constructor(readonly problems: string[]) {
    super(`prompt provisioning failed:\n  ${problems.join('\n  ')}`);
    this.name = 'PromptProvisioningError';
  }
}

export class UnknownPromptError extends Error {
  constructor(name: string) {
    super(`prompt "${name}" was not provisioned`);
    this.name = 'UnknownPromptError';
  }
}

const CONVERSION = `s16le/${PROMPT_SAMPLE_RATE}/mono`;
const BYTES_PER_MS = (PROMPT_SAMPLE_RATE * 2) / 1000;

function run(command: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => { err = (err + chunk.toString()).slice(-2000); });
    child.once('error', (error) => reject(new Error(`${command} could not be started: ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${command} exited with ${code}: ${err.trim().split('\n').slice(-2).join(' ') || 'no message'}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

export class PromptLibrary {
  private readonly prompts = new Map<string, Prompt>();
  private readonly sequences = new Map<string, Promise<Prompt>>();
  private readonly sox: string;
  private readonly espeak: string;

  constructor(private readonly options: PromptLibraryOptions) {
    this.sox = options.soxBinary ?? '/usr/bin/sox';
    this.espeak = options.espeakBinary ?? '/usr/bin/espeak-ng';
  }

  /** Converts and caches every source; throws one PromptProvisioningError listing every prompt that failed. */
  async provision(sources: readonly PromptSource[]): Promise<Prompt[]> {
    mkdirSync(this.options.cacheDir, { recursive: true });
    const problems: string[] = [];
    const provisioned: Prompt[] = [];
    const seen = new Set<string>();
    for (const source of sources) {
      if (seen.has(source.name)) {
        problems.push(`prompt "${source.name}": the name is given twice`);
        continue;
      }
      seen.add(source.name);
      try {
        const prompt = 'file' in source ? await this.fromFile(source.name, source.file) : await this.fromText(source.name, source.text, source.voice);
        this.prompts.set(prompt.name, prompt);
        provisioned.push(prompt);
      } catch (error) {
        const origin = 'file' in source ? `file ${source.file}` : 'text';
        problems.push(`prompt "${source.name}" (${origin}): ${(error as Error).message}`);
      }
    }
    if (problems.length > 0) throw new PromptProvisioningError(problems);
    return provisioned;
  }

  get(name: string): Prompt {
    const prompt = this.prompts.get(name);
    if (!prompt) throw new UnknownPromptError(name);
    return prompt;
  }

  /**
   * Several prompts as one: their samples back to back in one cached file, so a sequence
   * ("you are number" + "3" + "in the queue") plays with no gap at all between its parts.
   */
  sequence(names: readonly string[]): Promise<Prompt> {
    const parts = names.map((name) => this.get(name));
    if (parts.length === 1) return Promise.resolve(parts[0]!);
    const hash = createHash('sha256').update(`sequence|${parts.map((part) => part.hash).join('|')}`).digest('hex');
    let pending = this.sequences.get(hash);
    if (!pending) {
      pending = (async () => {
        const file = this.cacheFile(hash);
        if (!existsSync(file)) {
          const pcm = Buffer.concat(await Promise.all(parts.map(async (part) => decodeWave64(await readFile(part.file)))));
          await this.writeCache(file, pcm);
        }
        return { name: names.join('+'), file, durationMs: parts.reduce((sum, part) => sum + part.durationMs, 0), hash };
      })();
      pending.catch(() => this.sequences.delete(hash));
      this.sequences.set(hash, pending);
    }
    return pending;
  }

  private async fromFile(name: string, source: string): Promise<Prompt> {
    let bytes: Buffer;
    try {
      bytes = await readFile(source);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? (error as Error).message})`);
    }
    const hash = createHash('sha256').update(`file|${CONVERSION}|`).update(bytes).digest('hex');
    return this.cached(name, hash, () => this.convert(source));
  }

  private async fromText(name: string, text: string, voice = 'en-us'): Promise<Prompt> {
    if (text.trim() === '') throw new Error('text is empty');
    const hash = createHash('sha256').update(`espeak-ng|${voice}|${CONVERSION}|${text}`).digest('hex');
    return this.cached(name, hash, async () => {
      const wav = await run(this.espeak, ['-v', voice, '--stdout', text]);
      return this.convert('-', wav);
    });
  }

  private async cached(name: string, hash: string, render: () => Promise<Buffer>): Promise<Prompt> {
    const file = this.cacheFile(hash);
    if (!existsSync(file)) {
      const pcm = await render();
      if (pcm.length < 2) throw new Error('has no audio');
      await this.writeCache(file, pcm);
    }
    const dataBytes = decodeWave64(await readFile(file)).length;
    return { name, file, durationMs: Math.round(dataBytes / BYTES_PER_MS), hash };
  }

  /** sox reads any format it knows (a file, or a WAV on stdin) and writes raw 8 kHz mono s16le to stdout. */
  private async convert(source: string, stdin?: Buffer): Promise<Buffer> {
    return run(this.sox, ['-V1', ...(stdin ? ['-t', 'wav'] : []), source, '-t', 'raw', '-r', String(PROMPT_SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'], stdin);
  }

  private async writeCache(file: string, pcm: Buffer): Promise<void> {
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, encodeWave64(pcm));
    await rename(temporary, file);
  }

  private cacheFile(hash: string): string {
    return join(this.options.cacheDir, `${hash}.w64`);
  }
}
