// The recording store of a POP, from its POP file: the recordings directory, rtpengine's
// spool and the master key file named there.
import type { Logger } from 'pino';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { recordingSpoolDir } from '../rtpengine/rtpengine-args.js';
import { createMasterKeyFile, MasterKeyError, readMasterKey } from './master-key.js';
import { RecordingStore } from './recording-store.js';

export interface PopRecordingStoreOptions {
  /** Use this master key file instead of recordings.masterKeyFile (an operator's own copy). */
  masterKeyFile?: string;
  /** Write a new master key when the file is missing and the POP file allows it (the owner at start-up). */
  createKey?: boolean;
  logger?: Logger;
}

export function openPopRecordingStore(pop: PopConfig, options: PopRecordingStoreOptions = {}): RecordingStore {
  const keyFile = options.masterKeyFile ?? pop.recordings?.masterKeyFile;
  if (keyFile === undefined) throw new MasterKeyError('the POP file has no recordings.masterKeyFile (and no --key-file was given)');
  if (options.createKey && options.masterKeyFile === undefined && pop.recordings?.generateKeyIfMissing && createMasterKeyFile(keyFile)) {
    options.logger?.warn({ file: keyFile }, 'recording master key created; keep a copy of it: without it no recording can be read');
  }
  return new RecordingStore({
    dir: pop.rtpengine.recordingDir,
    spoolDir: recordingSpoolDir(pop),
    masterKey: readMasterKey(keyFile),
    retentionDays: pop.recordings?.retentionDays ?? 90,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
