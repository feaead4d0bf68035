import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPopFile } from '../../platform/config/load-pop-config.js';
import { edgePopYaml, freeMediaRange, rtpengineOwnSessions } from './edge-pop.js';

describe('the edge benchmark POP file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-pop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a valid POP with the plain trunk limits and rtpengine range asked for', () => {
    const file = join(dir, 'pop.yaml');
    const yaml = edgePopYaml({
      ports: { sip: 15060, control: 15061, ng: 15062, http: 15063, ops: 15064, core: 15065, coreListener: 15068, engineMetrics: 15066, sbcMetrics: 15067, mediaMin: 20000, mediaMax: 21999 },
      stateDir: join(dir, 'state'), maxConcurrentCalls: 20_000, callsPerSecond: 10_000, rtpengineThreads: 2, logLevel: 'info',
    });
    writeFileSync(file, yaml);
    expect(checkPopFile(file)).toEqual([]);
    expect(yaml).toContain('allow: [127.0.0.4/32]');
    expect(yaml).toMatch(/maxConcurrentCalls: 20000\n\s+callsPerSecond: 10000/);
    expect(yaml).toMatch(/portMin: 20000\n\s+portMax: 21999\n\s+threads: 2/);
  });
});

describe('freeMediaRange', () => {
  it('gives a block of the size asked for, below the ephemeral range', async () => {
    const range = await freeMediaRange(2000);
    expect(range.max - range.min + 1).toBe(2000);
    expect(range.min).toBeGreaterThanOrEqual(16384);
    expect(range.max).toBeLessThan(32768);
  });
});

describe('rtpengineOwnSessions', () => {
  it('reads the own-sessions gauge from merged metrics, with the labels vpop up adds', () => {
    const text = 'rtpengine_sessions{pop="p",component="rtpengine",type="own"} 12\nrtpengine_sessions{pop="p",component="rtpengine",type="foreign"} 3\n';
    expect(rtpengineOwnSessions(text)).toBe(12);
    expect(rtpengineOwnSessions('vpop_up 1\n')).toBeUndefined();
  });
});
