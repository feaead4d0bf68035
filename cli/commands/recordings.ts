// `vpop recordings`: list, export (decrypt to WAV), purge and re-key a POP's encrypted
// call recordings. Reading or exporting needs the master key file (docs/media.md).
import { createWriteStream } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { ConfigError, loadPopConfig } from '../../platform/config/load-pop-config.js';
import { MasterKeyError, readMasterKey } from '../../media/recording/master-key.js';
import { openPopRecordingStore } from '../../media/recording/pop-recording-store.js';
import { RecordingDecryptError } from '../../media/recording/recording-cipher.js';
import type { RecordingStore, RecordingSummary } from '../../media/recording/recording-store.js';

const EXIT_CONFIG = 2;

/** A command line that asks for something it must not (exit 1, no stack). */
class UsageError extends Error {}

interface StoreOptions {
  pop: string;
  keyFile?: string;
}

export function registerRecordingsCommand(program: Command): void {
  const recordings = program
    .command('recordings')
    .description("A POP's call recordings, encrypted at rest: list, export to WAV, purge expired ones, re-wrap keys")
    .addHelpText('after', `
Examples (docs/media.md):
  vpop recordings list --pop configs/pops/local.yaml
  vpop recordings get 3f0c…e1 --pop configs/pops/local.yaml --out /tmp/call.wav
  vpop recordings purge --pop configs/pops/local.yaml
  vpop recordings rekey --pop configs/pops/local.yaml --new-key-file /secure/recordings-2027.key`);

  const withStore = (command: Command): Command => command
    .requiredOption('--pop <file>', 'the POP file (its recordings section names the master key file)')
    .option('--key-file <file>', 'master key file to use instead of recordings.masterKeyFile');

  withStore(recordings.command('list'))
    .description('List recordings with their metadata (the caller number only with --show-caller)')
    .option('--json', 'one JSON object per recording, with every pause and resume')
    .option('--show-caller', 'decrypt and show the caller number')
    .action(async (options: StoreOptions & { json?: boolean; showCaller?: boolean }) => {
      await withOpenStore('list', options, async (store) => {
        for (const summary of store.list()) {
          const caller = options.showCaller ? store.caller(summary.id) ?? null : undefined;
          print(options.json ? JSON.stringify({ ...summary, ...(caller !== undefined ? { caller } : {}) }) : line(summary, caller));
        }
      });
    });

  withStore(recordings.command('get'))
    .description('Decrypt one recording to a stereo WAV (caller left, agent right)')
    .argument('<id>', 'recording id (from list)')
    .requiredOption('--out <file>', "WAV file to write, or - for stdout; never inside the POP's state directory")
    .action(async (id: string, options: StoreOptions & { out: string }) => {
      await withOpenStore('get', options, async (store, stateDir) => {
        const out = resolve(options.out);
        if (options.out !== '-' && !relative(stateDir, out).startsWith('..')) {
          throw new UsageError(`--out ${options.out} is inside the state directory ${stateDir}, which must never hold a recording in clear`);
        }
        // The data key is unwrapped before anything is written, so a wrong key leaves no file.
        const wav = store.openWavStream(id);
        await pipeline(wav, options.out === '-' ? process.stdout : createWriteStream(out, { mode: 0o600 }));
        if (options.out !== '-') process.stderr.write(`wrote ${options.out}\n`);
      });
    });

  withStore(recordings.command('purge'))
    .description('Remove recordings older than recordings.retentionDays, with their keys; prints the ids removed')
    .action(async (options: StoreOptions) => {
      await withOpenStore('purge', options, async (store) => {
        print(JSON.stringify({ removed: await store.purge() }));
      });
    });

  withStore(recordings.command('rekey'))
    .description('Re-wrap every data key with a new master key (the audio is not re-encrypted); then point recordings.masterKeyFile at it')
    .requiredOption('--new-key-file <file>', 'the new master key file')
    .action(async (options: StoreOptions & { newKeyFile: string }) => {
      await withOpenStore('rekey', options, async (store) => {
        print(JSON.stringify({ rewrapped: store.rewrapKeys(readMasterKey(options.newKeyFile)) }));
      });
    });
}

async function withOpenStore(name: string, options: StoreOptions, action: (store: RecordingStore, stateDir: string) => Promise<void>): Promise<void> {
  let store: RecordingStore | undefined;
  try {
    const pop = loadPopConfig(options.pop, { checkFiles: false });
    store = openPopRecordingStore(pop, options.keyFile !== undefined ? { masterKeyFile: options.keyFile } : {});
    await action(store, pop.stateDir);
  } catch (error) {
    const exit = error instanceof ConfigError ? EXIT_CONFIG : error instanceof MasterKeyError || error instanceof RecordingDecryptError || error instanceof UsageError || isUserError(error) ? 1 : undefined;
    if (exit === undefined) throw error;
    process.stderr.write(`vpop recordings ${name}: ${(error as Error).message}\n`);
    process.exitCode = exit;
  } finally {
    store?.close();
  }
}

/** Errors an operator causes (an unknown id, a file that cannot be written), reported without a stack. */
function isUserError(error: unknown): boolean {
  return error instanceof Error && (/^no recording |is not finished/.test(error.message) || typeof (error as NodeJS.ErrnoException).syscall === 'string');
}

function line(summary: RecordingSummary, caller: string | null | undefined): string {
  const pauses = summary.events.filter((event) => event.action === 'pause').length;
  return [
    summary.id, summary.status, new Date(summary.startedAt).toISOString(),
    summary.durationMs === null ? '-' : `${(summary.durationMs / 1000).toFixed(1)}s`,
    `dialled=${summary.dialledNumber ?? '-'}`, `agent=${summary.agent ?? '-'}`, `queue=${summary.queue ?? '-'}`, `pauses=${pauses}`,
    ...(caller !== undefined ? [`caller=${caller ?? '-'}`] : []),
  ].join('  ');
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
