// Real rtpengine (/usr/bin/rtpengine) started from the generated flags on free ports.
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { Supervisor } from '../../platform/supervisor/supervisor.js';
import { waitUntil } from '../../test/support/wait-until.js';
import { rtpengineMetricsUrl, rtpenginePidFile } from './rtpengine-args.js';
import { rtpengineMetricsSource } from './rtpengine-metrics.js';
import { pingRtpengine } from './rtpengine-ping.js';
import { rtpengineProcess } from './rtpengine-process.js';
import { isProcessAlive } from '../../platform/supervisor/process-alive.js';
import { rtpengineTestPop } from '../testing/rtpengine-test-pop.js';

const stateDir = mkdtempSync(join(tmpdir(), 'vpop-rtpengine-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));


describe('rtpengine under the supervisor', () => {
  it('starts from the generated flags, answers ng ping, serves /metrics, and stops by PID', async () => {
    const pop = await rtpengineTestPop({ id: 'rtpe-test', stateDir, mediaPorts: 20, cliPort: true });
    mkdirSync(pop.rtpengine.recordingDir, { recursive: true });
    const registry = new Registry();
    const supervisor = new Supervisor({ children: [rtpengineProcess(pop)], registry });
    const metrics = rtpengineMetricsSource({ url: rtpengineMetricsUrl(pop), registry, labels: { pop: 'rtpe-test' } });
    try {
      supervisor.start();
      await waitUntil(() => supervisor.allReady(), 'rtpengine to answer ng ping', { timeoutMs: 15_000, intervalMs: 50 });
      const pid = supervisor.status()[0]!.pid!;
      expect(isProcessAlive(pid)).toBe(true);
      expect(Number(readFileSync(rtpenginePidFile(pop), 'utf8').trim())).toBe(pid);
      expect(await pingRtpengine({ address: '127.0.0.1', port: pop.rtpengine.ngPort })).toBe(true);

      const text = await metrics();
      expect(text).toMatch(/^rtpengine_sessions\{pop="rtpe-test",type="own"\} 0$/m);
      expect(text).toMatch(/^rtpengine_uptime_seconds\{pop="rtpe-test"\} \d+$/m);
      expect(await registry.metrics()).toContain('vpop_rtpengine_up 1');

      await supervisor.stop();
      expect(isProcessAlive(pid)).toBe(false);
      expect(supervisor.status()[0]!.lastExit).toMatchObject({ signal: null, code: 0 });
      expect(await pingRtpengine({ address: '127.0.0.1', port: pop.rtpengine.ngPort }, 300)).toBe(false);
      expect(await metrics()).toBe('');
      expect(await registry.metrics()).toContain('vpop_rtpengine_up 0');
    } finally {
      await supervisor.stop();
    }
  });
});

describe('pingRtpengine against something that is not rtpengine', () => {
  it('is false for a UDP socket that never answers', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    let received = 0;
    silent.on('message', () => received++);
    try {
      expect(await pingRtpengine({ address: '127.0.0.1', port: silent.address().port }, 300)).toBe(false);
      expect(received).toBe(1);
    } finally {
      silent.close();
    }
  });

  it('is false for a UDP socket that answers garbage', async () => {
    const liar = createSocket('udp4');
    await new Promise<void>((resolve) => liar.bind(0, '127.0.0.1', resolve));
    liar.on('message', (message, peer) => {
      const cookie = message.subarray(0, message.indexOf(' '));
      liar.send(Buffer.concat([cookie, Buffer.from(' d6:result4:nopee')]), peer.port, peer.address);
    });
    try {
      expect(await pingRtpengine({ address: '127.0.0.1', port: liar.address().port }, 300)).toBe(false);
    } finally {
      liar.close();
    }
  });
});
