// Call detail records: one JSON line per event (attempt, start, stop) appended to the
// POP's CDR file, and the same record in the log with numbers masked. The file is the
// record store (mode 0600) and keeps numbers in clear; logs never do.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { maskNumber } from '../../../platform/logging/redact-pii.js';

export interface CdrRecord {
  event: 'attempt' | 'start' | 'stop';
  callId: string;
  pop: string;
  trunk: string;
  direction: 'inbound' | 'outbound';
  caller: string;
  dialledNumber: string;
  /** ISO time of the event. */
  at: string;
  /** Final SIP status of the call setup (stop only; 200 for answered calls). */
  resultCode?: number;
  /** Who ended an answered call (stop only). */
  endedBy?: 'caller' | 'callee' | 'edge';
  /** Attempt to answer (or failure), ms (start and stop). */
  setupMs?: number;
  /** Answer to hang-up, seconds (stop of an answered call). */
  talkSeconds?: number;
}

export interface CdrSink {
  write(record: CdrRecord): void;
}

export class JsonlCdrWriter implements CdrSink {
  private pending: Promise<void> = Promise.resolve();
  private madeDirectory = false;

  constructor(private readonly file: string, private readonly logger: Logger) {}

  write(record: CdrRecord): void {
    this.logger.info({ cdr: { ...record, caller: maskNumber(record.caller), dialledNumber: maskNumber(record.dialledNumber) } }, `cdr ${record.event}`);
    const line = `${JSON.stringify(record)}\n`;
    // Appends are chained so lines never interleave and stay in event order.
    this.pending = this.pending.then(async () => {
      if (!this.madeDirectory) {
        await mkdir(dirname(this.file), { recursive: true });
        this.madeDirectory = true;
      }
      await appendFile(this.file, line, { mode: 0o600 });
    }).catch((error: unknown) => {
      this.logger.error({ err: error, file: this.file }, 'could not append a CDR');
    });
  }

  /** Resolves when every record written so far is on disk. */
  flush(): Promise<void> {
    return this.pending;
  }
}
