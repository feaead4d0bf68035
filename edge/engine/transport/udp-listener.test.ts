// The UDP listener's socket buffers against the running kernel: what it asks for is capped
// at net.core.rmem_max/wmem_max and doubled (Linux keeps room for bookkeeping), and the
// effective sizes are what the listener reports and logs.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AllowList, AllowListHolder } from '../allow-list/allow-list.js';
import { TransportMetrics } from './transport-metrics.js';
import { resolveTransportLimits, type TransportLimits } from './types.js';
import { UdpListener } from './udp-listener.js';

const listeners: UdpListener[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.stop()));
});

function sysctl(name: string): number {
  return Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8').trim());
}

/** What Linux stores for SO_RCVBUF/SO_SNDBUF: the request capped at the sysctl, doubled. */
function kernelEffective(requested: number, max: number): number {
  return 2 * Math.min(requested, max);
}

async function startListener(limits: TransportLimits) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const listener = new UdpListener({
    config: { name: 'udp-test', transport: 'udp', address: '127.0.0.1', port: 0, allowList: AllowList.parse(['127.0.0.1/32']) },
    allowList: new AllowListHolder(AllowList.parse(['127.0.0.1/32'])),
    limits: resolveTransportLimits(limits),
    metrics: new TransportMetrics(new Registry()),
    logger: pino({ level: 'info' }, sink),
    deliver: () => undefined,
  });
  listeners.push(listener);
  await listener.start();
  return { listener, lines };
}

describe('UDP listener socket buffers', () => {
  it('asks for 4 MiB by default and gets what the kernel allows', async () => {
    const { listener } = await startListener({});
    expect(listener.bufferSizes).toEqual({
      receiveBytes: kernelEffective(4 * 1024 * 1024, sysctl('rmem_max')),
      sendBytes: kernelEffective(4 * 1024 * 1024, sysctl('wmem_max')),
    });
    // Larger than the kernel default, which is what the benchmark's engine overflowed.
    expect(listener.bufferSizes.receiveBytes).toBeGreaterThan(sysctl('rmem_default'));
  });

  it('applies configured sizes and logs the effective ones', async () => {
    const receive = 300 * 1024;
    const send = 260 * 1024;
    const { listener, lines } = await startListener({ udpReceiveBufferBytes: receive, udpSendBufferBytes: send });
    const expected = {
      receiveBytes: kernelEffective(receive, sysctl('rmem_max')),
      sendBytes: kernelEffective(send, sysctl('wmem_max')),
    };
    expect(listener.bufferSizes).toEqual(expected);
    const logged = lines.find((line) => line['receiveBufferBytes'] !== undefined);
    expect(logged).toMatchObject({
      listener: 'udp-test',
      receiveBufferBytes: expected.receiveBytes,
      sendBufferBytes: expected.sendBytes,
      requestedReceiveBytes: receive,
      requestedSendBytes: send,
    });
  });

  it('rejects a non-positive size as a configuration error', () => {
    expect(() => resolveTransportLimits({ udpSendBufferBytes: 0 })).toThrow(/udpSendBufferBytes/);
  });
});
