import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { componentLogger, configureLogging } from '../../../platform/logging/logger.js';
import { JsonlCdrWriter, type CdrRecord } from './cdr-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'vpop-cdr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JsonlCdrWriter', () => {
  it('appends one JSON line per record (0600, numbers kept) and logs the record with numbers masked', async () => {
    const lines: string[] = [];
    configureLogging({ level: 'info', destination: new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } }) });
    const file = join(dir, 'cdr', 'edge-cdr.jsonl');
    const writer = new JsonlCdrWriter(file, componentLogger('cdr-test', { level: 'info' }));
    const base: CdrRecord = {
      event: 'attempt', callId: 'c1', pop: 'local', trunk: 'loopback-carrier', direction: 'inbound',
      caller: '+15550001111', dialledNumber: '+18005550100', at: new Date(0).toISOString(),
    };
    writer.write(base);
    writer.write({ ...base, event: 'stop', resultCode: 486, setupMs: 120 });
    await writer.flush();
    const records = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as CdrRecord);
    expect(records.map((record) => record.event)).toEqual(['attempt', 'stop']);
    expect(records[1]).toMatchObject({ resultCode: 486, caller: '+15550001111' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const logged = lines.join('');
    expect(logged).toContain('cdr stop');
    expect(logged).not.toContain('5550001111');
    expect(logged).not.toContain('8005550100');
  });
});
