import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { CdrRecord } from './cdr-writer.js';
import { OpenCallJournal } from './open-call-journal.js';

const dir = mkdtempSync(join(tmpdir(), 'vpop-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const silent = pino({ level: 'silent' });

function record(callId: string, event: CdrRecord['event'], at: string): CdrRecord {
  return { event, callId, pop: 'p', trunk: 't', direction: 'inbound', caller: '+15550001111', dialledNumber: '+18005550100', at };
}

describe('OpenCallJournal', () => {
  it('gives a successor a stop (sbc-restart, timed at the last touch) for every call left open, then starts empty', () => {
    const file = join(dir, 'open-calls.jsonl');
    const first = new OpenCallJournal(file, silent);
    expect(first.recover({ write: () => undefined })).toEqual([]);
    first.opened(record('answered', 'attempt', '2026-01-01T10:00:00.000Z'));
    first.opened(record('answered', 'start', '2026-01-01T10:00:01.000Z'));
    first.opened(record('ringing', 'attempt', '2026-01-01T10:00:02.000Z'));
    first.opened(record('done', 'attempt', '2026-01-01T10:00:03.000Z'));
    first.closed(record('done', 'stop', '2026-01-01T10:00:04.000Z'));
    // Killed: no close(). Its last sign of life is the journal's modification time.
    const diedAt = new Date('2026-01-01T10:01:01.000Z');
    utimesSync(file, diedAt, diedAt);

    const written: CdrRecord[] = [];
    const stops = new OpenCallJournal(file, silent).recover({ write: (stop) => written.push(stop) });
    expect(written).toEqual(stops);
    expect(stops).toHaveLength(2);
    expect(stops.find((stop) => stop.callId === 'answered')).toMatchObject({
      event: 'stop', cause: 'sbc-restart', resultCode: 200, talkSeconds: 60, at: diedAt.toISOString(), endedBy: 'edge',
    });
    expect(stops.find((stop) => stop.callId === 'ringing')).toMatchObject({ event: 'stop', cause: 'sbc-restart', resultCode: 500 });
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('ignores a line cut short by the kill', () => {
    const file = join(dir, 'cut.jsonl');
    const journal = new OpenCallJournal(file, silent);
    journal.recover({ write: () => undefined });
    journal.opened(record('whole', 'attempt', '2026-01-01T10:00:00.000Z'));
    journal.close();
    const text = readFileSync(file, 'utf8');
    rmSync(file);
    writeFileSync(file, `${text}{"open":{"event":"att`);
    const stops = new OpenCallJournal(file, silent).recover({ write: () => undefined });
    expect(stops.map((stop) => stop.callId)).toEqual(['whole']);
  });
});
