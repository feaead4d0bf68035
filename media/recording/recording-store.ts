// Where finished recordings live: encrypted files in the recordings directory and their
// index. Turning rtpengine's clear pcap segments into one encrypted stereo recording,
// crash recovery, retention purge, master key rotation and streaming decryption.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pino, type Logger } from 'pino';
import {
  createRecordingDecryptStream, createRecordingEncryptStream, masterKeyId, newDataKey, openSmall, sealSmall, unwrapDataKey, wrapDataKey,
} from './recording-cipher.js';
import { RecordingIndex, type RecordingAction, type RecordingEvent, type RecordingRow } from './recording-index.js';
import { readPcapRtp, type CapturedRtp } from './pcap-rtp.js';
import { removeSpoolFiles, spoolFilesOf } from './rtpengine-spool.js';
import { joinSegments, RECORDING_SAMPLE_RATE, type RecordedRole } from './segment-join.js';
import { stereoWavPieces } from './stereo-wav.js';

export interface RecordingStoreOptions {
  /** The recordings directory: encrypted files and the index only. */
  dir: string;
  /** rtpengine's --recording-dir, where clear segments wait to be joined. */
  spoolDir: string;
  masterKey: Buffer;
  /** Recordings older than this are removed by purge(). */
  retentionDays: number;
  logger?: Logger;
}

export interface RecordingMetadata {
  callId: string;
  dialledNumber?: string;
  /** The caller's number; stored encrypted with the recording's data key. */
  caller?: string;
  agent?: string;
  queue?: string;
}

export interface RecordingSummary {
  id: string;
  callId: string;
  status: RecordingRow['status'];
  dialledNumber: string | null;
  agent: string | null;
  queue: string | null;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  bytes: number | null;
  events: RecordingEvent[];
}

const RECORDING_FILE_SUFFIX = '.vrec';

function summaryOf(row: RecordingRow, events: RecordingEvent[]): RecordingSummary {
  return {
    id: row.id, callId: row.callId, status: row.status, dialledNumber: row.dialledNumber, agent: row.agent, queue: row.queue,
    startedAt: row.startedAt, endedAt: row.endedAt, durationMs: row.durationMs, bytes: row.bytes, events,
  };
}

export class RecordingStore {
  readonly index: RecordingIndex;
  private readonly logger: Logger;

  constructor(private readonly options: RecordingStoreOptions) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.index = new RecordingIndex(join(options.dir, 'index.sqlite'));
    this.logger = options.logger ?? pino({ level: 'silent' });
  }

  /** Opens the index row of a new recording (status 'recording') with a fresh wrapped data key. */
  begin(metadata: RecordingMetadata, by: string, at = Date.now()): string {
    const id = randomUUID();
    const dataKey = newDataKey();
    this.index.insert({
      id, callId: metadata.callId, dialledNumber: metadata.dialledNumber ?? null,
      callerSealed: metadata.caller !== undefined ? sealSmall(dataKey, Buffer.from(metadata.caller, 'utf8'), `vpop-recording-caller:${id}`) : null,
      agent: metadata.agent ?? null, queue: metadata.queue ?? null, startedAt: at,
      keyId: masterKeyId(this.options.masterKey), wrappedKey: wrapDataKey(this.options.masterKey, dataKey, id),
    });
    this.index.addEvent(id, { at, action: 'start', by });
    return id;
  }

  event(id: string, action: RecordingAction, by: string, at = Date.now()): void {
    this.index.addEvent(id, { at, action, by });
  }

  /** Which of rtpengine's ports carry which party, as learnt at each start and resume. */
  ports(id: string, ports: ReadonlyMap<number, RecordedRole>): void {
    this.index.addPorts(id, ports);
  }

  /**
   * Joins the call's segments into one stereo WAV, encrypts it into the recordings
   * directory, marks the row complete or partial and deletes the clear segments.
   */
  async finish(id: string, status: 'complete' | 'partial', endedAt = Date.now()): Promise<RecordingSummary> {
    const row = this.requireRow(id);
    const spool = await spoolFilesOf(this.options.spoolDir, row.callId);
    const segments: CapturedRtp[][] = [];
    for (const file of spool.pcaps) {
      try {
        segments.push(readPcapRtp(await readFile(file)));
      } catch (error) {
        // A segment rtpengine had only just opened when it died has no pcap header yet.
        this.logger.warn({ recordingId: id, err: error }, 'unreadable recording segment skipped');
      }
    }
    const audio = joinSegments({ segments, roleOfPort: this.index.ports(id), originUs: row.startedAt * 1000 });
    const dataKey = unwrapDataKey(this.options.masterKey, row.wrappedKey, id);
    const file = join(this.options.dir, `${id}${RECORDING_FILE_SUFFIX}`);
    const partFile = `${file}.part`;
    await pipeline(Readable.from(stereoWavPieces(audio.caller, audio.agent, RECORDING_SAMPLE_RATE)), createRecordingEncryptStream(dataKey),
      createWriteStream(partFile, { mode: 0o600 }));
    await rename(partFile, file);
    const { size } = await stat(file);
    const durationMs = Math.round((audio.caller.length / RECORDING_SAMPLE_RATE) * 1000);
    if (status === 'partial') this.index.addEvent(id, { at: endedAt, action: 'recovered', by: 'crash-recovery' });
    this.index.finish(id, { status, endedAt, durationMs, file: `${id}${RECORDING_FILE_SUFFIX}`, bytes: size });
    await removeSpoolFiles(spool);
    this.logger.info({ recordingId: id, status, segments: spool.pcaps.length, durationMs, packets: audio.packets }, 'recording joined and encrypted');
    return this.summary(id);
  }

  /**
   * Finishes, as partial, every recording whose owner died before it ended. `close` is
   * asked first to make rtpengine close the call's open segment (it may still be writing).
   */
  async recoverUnfinished(close: (callId: string) => Promise<void>): Promise<RecordingSummary[]> {
    const recovered: RecordingSummary[] = [];
    for (const row of this.index.list({ status: 'recording' })) {
      await close(row.callId).catch(() => undefined);
      recovered.push(await this.finish(row.id, 'partial'));
    }
    if (recovered.length > 0) this.logger.warn({ recordingIds: recovered.map((entry) => entry.id) }, 'unfinished recordings recovered as partial');
    return recovered;
  }

  /** Removes recordings (file, index row and wrapped key) started more than the retention period ago. */
  async purge(now = Date.now()): Promise<string[]> {
    const cutoff = now - this.options.retentionDays * 86_400_000;
    const removed: string[] = [];
    for (const row of this.index.startedBefore(cutoff)) {
      if (row.file) await rm(join(this.options.dir, row.file), { force: true });
      this.index.delete(row.id);
      removed.push(row.id);
    }
    this.logger.info({ recordingIds: removed, retentionDays: this.options.retentionDays }, 'recordings purged');
    return removed;
  }

  /** Re-wraps every data key with a new master key; the audio files are not touched. */
  rewrapKeys(newMasterKey: Buffer): number {
    const keyId = masterKeyId(newMasterKey);
    return this.index.rewrapAll((row) => ({ keyId, wrappedKey: wrapDataKey(newMasterKey, unwrapDataKey(this.options.masterKey, row.wrappedKey, row.id), row.id) }));
  }

  list(): RecordingSummary[] {
    return this.index.list().map((row) => summaryOf(row, this.index.events(row.id)));
  }

  summary(id: string): RecordingSummary {
    return summaryOf(this.requireRow(id), this.index.events(id));
  }

  /** The caller's number, decrypted (for operators holding the master key). */
  caller(id: string): string | undefined {
    const row = this.requireRow(id);
    if (!row.callerSealed) return undefined;
    const dataKey = unwrapDataKey(this.options.masterKey, row.wrappedKey, id);
    return openSmall(dataKey, row.callerSealed, `vpop-recording-caller:${id}`).toString('utf8');
  }

  /**
   * The recording as a WAV byte stream, decrypted as it is read. The data key is unwrapped
   * first, so a wrong master key fails here, before any byte is streamed; an altered file
   * fails the stream at the altered chunk.
   */
  openWavStream(id: string): Readable {
    const row = this.requireRow(id);
    if (row.status === 'recording' || !row.file) throw new Error(`recording ${id} is not finished`);
    const decrypt: Transform = createRecordingDecryptStream(unwrapDataKey(this.options.masterKey, row.wrappedKey, id));
    const source = createReadStream(join(this.options.dir, row.file));
    source.on('error', (error) => decrypt.destroy(error));
    return source.pipe(decrypt);
  }

  close(): void {
    this.index.close();
  }

  private requireRow(id: string): RecordingRow {
    const row = this.index.get(id);
    if (!row) throw new Error(`no recording ${id}`);
    return row;
  }
}
