import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseUdpReceiveBufferErrors, registerUdpReceiveErrorMetric } from './udp-receive-errors.js';

const snmp = `Ip: Forwarding DefaultTTL
Ip: 1 64
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 3410 73 12 3487 9 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 0 0 0 0 0 0 0
`;

describe('parseUdpReceiveBufferErrors', () => {
  it('reads RcvbufErrors of Udp (not UdpLite) and Udp6', () => {
    expect(parseUdpReceiveBufferErrors(snmp, 'Udp6InErrors                    \t4\nUdp6RcvbufErrors                \t3\n')).toEqual({ ipv4: 9, ipv6: 3 });
  });

  it('leaves out a family whose file is missing or has no such line', () => {
    expect(parseUdpReceiveBufferErrors('', '')).toEqual({});
  });
});

describe('vpop_udp_receive_buffer_errors_total', () => {
  it('counts datagrams the kernel dropped on a full socket buffer', async () => {
    const registry = new Registry();
    registerUdpReceiveErrorMetric(registry);
    const value = async (): Promise<number> =>
      (await registry.getSingleMetric('vpop_udp_receive_buffer_errors_total')?.get())?.values.find((v) => v.labels.family === 'ipv4')?.value ?? -1;
    expect(await value()).toBe(0);

    const socket = createSocket({ type: 'udp4', recvBufferSize: 2048 });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      // spawnSync blocks this event loop, so nothing reads the socket while the child floods it.
      const flood = `const s=require('node:dgram').createSocket('udp4');let n=0;const b=Buffer.alloc(1000);
const go=()=>{if(n++<400)s.send(b,${socket.address().port},'127.0.0.1',go);else s.close()};go()`;
      const child = spawnSync(process.execPath, ['-e', flood], { timeout: 20_000 });
      expect(child.status).toBe(0);
      expect(await value()).toBeGreaterThan(0);
    } finally {
      socket.close();
    }
  });
});
