// The calls the SBC has open, journalled beside the CDR file so that an SBC killed with
// calls up leaves enough for its successor to close their records: at start the
// successor reads the journal and writes a stop (cause sbc-restart) for each call its
// predecessor opened and never closed, timed at the predecessor's last sign of life
// (the journal's modification time, touched by the SBC's periodic audit).
//
// The journal is JSON lines: {"open": <CdrRecord>} when a call starts and again when it
// is answered, {"close": <key>} when its stop is written. It is rewritten with only the
// open calls at start and whenever it has grown well beyond them.
import { closeSync, existsSync, futimesSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { Q850 } from './call-end-cause.js';
import type { CdrRecord, CdrSink } from './cdr-writer.js';

/** Journal lines beyond the open calls before it is rewritten. */
const COMPACT_AFTER_LINES = 20_000;

function keyOf(record: Pick<CdrRecord, 'direction' | 'callId'>): string {
  return `${record.direction}:${record.callId}`;
}

export class OpenCallJournal {
  private readonly open = new Map<string, CdrRecord>();
  private fd: number | undefined;
  private lines = 0;

  constructor(private readonly file: string, private readonly logger: Logger) {}

  /**
   * Close what a predecessor left open: one stop record per open call, written to `cdr`,
   * then start an empty journal. Returns the records written.
   */
  recover(cdr: CdrSink): CdrRecord[] {
    const stops: CdrRecord[] = [];
    if (existsSync(this.file)) {
      const diedAt = statSync(this.file).mtimeMs;
      const left = new Map<string, CdrRecord>();
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (line === '') continue;
        try {
          const entry = JSON.parse(line) as { open?: CdrRecord; close?: string };
          if (entry.open) left.set(keyOf(entry.open), entry.open);
          else if (entry.close !== undefined) left.delete(entry.close);
        } catch {
          // A line cut short by the kill: the record before it is what we have.
        }
      }
      for (const record of left.values()) {
        const answeredAt = record.event === 'start' ? Date.parse(record.at) : undefined;
        const stop: CdrRecord = {
          ...record, event: 'stop', at: new Date(diedAt).toISOString(), cause: 'sbc-restart', q850: Q850['sbc-restart'],
          endedBy: 'edge', resultCode: answeredAt !== undefined ? 200 : 500,
          reason: 'SBC restarted with the call up',
          ...(answeredAt !== undefined ? { talkSeconds: Math.max(0, Math.round((diedAt - answeredAt) / 100) / 10) } : {}),
        };
        cdr.write(stop);
        stops.push(stop);
      }
      if (stops.length > 0) this.logger.warn({ calls: stops.length }, 'closed the CDRs of calls a previous SBC left open');
    }
    this.rewrite();
    return stops;
  }

  /** A call started or was answered: its latest record. */
  opened(record: CdrRecord): void {
    this.open.set(keyOf(record), record);
    this.append({ open: record });
  }

  closed(record: Pick<CdrRecord, 'direction' | 'callId'>): void {
    const key = keyOf(record);
    if (!this.open.delete(key)) return;
    this.append({ close: key });
    if (this.lines > COMPACT_AFTER_LINES + this.open.size) this.rewrite();
  }

  /** Mark the SBC alive now (the time a successor would close open calls at). */
  touch(): void {
    if (this.fd === undefined) return;
    const now = new Date();
    try {
      futimesSync(this.fd, now, now);
    } catch (error) {
      this.logger.warn({ err: error, file: this.file }, 'could not touch the open-call journal');
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(entry: object): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, `${JSON.stringify(entry)}\n`);
      this.lines++;
    } catch (error) {
      this.logger.error({ err: error, file: this.file }, 'could not append to the open-call journal');
    }
  }

  /** The journal holding exactly the open calls, swapped in by rename. */
  private rewrite(): void {
    this.close();
    mkdirSync(dirname(this.file), { recursive: true });
    const next = `${this.file}.next`;
    writeFileSync(next, [...this.open.values()].map((record) => `${JSON.stringify({ open: record })}\n`).join(''), { mode: 0o600 });
    renameSync(next, this.file);
    this.fd = openSync(this.file, 'a', 0o600);
    this.lines = this.open.size;
  }
}
