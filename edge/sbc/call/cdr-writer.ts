// Call detail records: one JSON line per event (attempt, start, stop) appended to the
// POP's CDR file, and the same record in the log with numbers masked. The file is the
// record store (mode 0600) and keeps numbers in clear; logs never do. Lines are written
// with one write(2) each on a held descriptor, so a record is in the file the moment
// write() returns, even if the process is killed right after.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { maskNumber } from '../../../platform/logging/redact-pii.js';
import type { CallEndCause } from './call-end-cause.js';

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
  /** Where the INVITE came from: address, port and transport (udp, tcp, tls). */
  sourceAddress?: string;
  sourcePort?: number;
  transport?: string;
  /** Call-ID of the leg the SBC placed (toward the core, a phone or a carrier gateway). */
  bLegCallId?: string;
  /** Audio codec both sides settled on (start and stop of answered calls). */
  codec?: string;
  /** SDES suite on the carrier side, when it is SRTP. */
  srtpSuite?: string;
  /** Final SIP status of the call setup (stop only; 200 for answered calls). */
  resultCode?: number;
  /** SIP reason phrase of a refusal or failure, or the Reason header text of the BYE. */
  reason?: string;
  /** Why the call ended (stop only). */
  cause?: CallEndCause;
  /** Q.850 cause value of `cause` (stop only). */
  q850?: number;
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
  private fd: number | undefined;

  constructor(private readonly file: string, private readonly logger: Logger) {}

  write(record: CdrRecord): void {
    this.logger.info({ cdr: { ...record, caller: maskNumber(record.caller), dialledNumber: maskNumber(record.dialledNumber) } }, `cdr ${record.event}`);
    try {
      if (this.fd === undefined) {
        mkdirSync(dirname(this.file), { recursive: true });
        this.fd = openSync(this.file, 'a', 0o600);
      }
      writeSync(this.fd, `${JSON.stringify(record)}\n`);
    } catch (error) {
      this.logger.error({ err: error, file: this.file }, 'could not append a CDR');
    }
  }

  /** Every record is on file once write() returns; kept for callers that await it. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
