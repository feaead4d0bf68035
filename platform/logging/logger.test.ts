import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { componentLogger, configureLogging } from './logger.js';

const CALLER = '+15551234567';
const CALLER_DIGITS = '5551234567';

const rawInvite = [
  `INVITE sip:${CALLER}@127.0.0.1 SIP/2.0`,
  `From: "${CALLER}" <sip:${CALLER}@127.0.0.2>;tag=1`,
  `To: <tel:1-555-123-4567>`,
  `P-Asserted-Identity: <sip:${CALLER}@127.0.0.2>`,
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

describe('componentLogger writing to a real file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vpop-logger-'));
  const file = join(dir, 'logs', 'vpop.log');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes JSON lines with the component and no caller number anywhere', () => {
    // Created before configureLogging: must still follow the new destination and level.
    const early = componentLogger('edge-sbc');
    configureLogging({ level: 'debug', destination: file });
    const log = componentLogger('test-pii');

    log.info({ caller: CALLER, callee: '18005550100' }, 'call offered');
    log.info({ from: `"Jane" <sip:${CALLER}@127.0.0.2>;tag=x`, nested: { uri: `sip:${CALLER}@h`, list: [CALLER] } }, 'object fields');
    log.info(`message with the number ${CALLER} in it`);
    log.info('format args %s and %d and %j', CALLER, 15551234567, { ani: CALLER });
    log.debug({ sip: rawInvite }, 'raw message in a field');
    log.debug(rawInvite);
    log.warn(new Error(`no route to ${CALLER}`));
    log.error({ err: Object.assign(new Error('rejected'), { caller: CALLER }) }, 'with err field');
    log.child({ callId: 'abc', caller: CALLER }).info('per-call child');
    early.info({ raw: Buffer.from(rawInvite) }, 'buffer');
    log.trace({ caller: CALLER }, 'below the level, not written');

    const text = readFileSync(file, 'utf8');
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(10);
    expect(text).not.toContain(CALLER_DIGITS);
    expect(text).not.toContain('555-123-4567');
    expect(text).not.toContain('18005550100');
    expect(text).not.toContain('Jane');

    expect(lines[0]).toMatchObject({ level: 'info', component: 'test-pii', caller: '+***67', callee: '***00', msg: 'call offered' });
    expect(lines[2]?.msg).toBe('message with the number +***67 in it');
    expect(lines[3]?.msg).toBe('format args +***67 and ***67 and {"ani":"+***67"}');
    expect(lines[6]).toMatchObject({ level: 'warn', msg: 'no route to +***67', err: { type: 'Error', message: 'no route to +***67' } });
    expect(lines[7]).toMatchObject({ err: { caller: '+***67' } });
    expect(lines[8]).toMatchObject({ callId: 'abc', caller: '+***67', msg: 'per-call child' });
    expect(lines[9]).toMatchObject({ component: 'edge-sbc', msg: 'buffer' });
    expect(String(lines[9]?.raw)).toContain('INVITE sip:+***67@127.0.0.1 SIP/2.0');
  });
});
