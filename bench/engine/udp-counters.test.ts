import { describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { parseUdpCounters, parseUdpSocketDrops, readUdpCounters, readUdpSocketDrops } from './udp-counters.js';

// As Linux 6.x prints it (Udp and UdpLite rows share the layout; only Udp is read).
const SNMP = [
  'Tcp: RtoAlgorithm RtoMin',
  'Tcp: 1 200',
  'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
  'Udp: 4738369 10331 151054 4902248 151054 0 0 0 0',
  'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
  'UdpLite: 0 0 0 0 0 0 0 0 0',
].join('\n');

describe('UDP counters', () => {
  it('reads InDatagrams and RcvbufErrors from the Udp rows', () => {
    expect(parseUdpCounters(SNMP)).toEqual({ inDatagrams: 4738369, rcvbufErrors: 151054 });
  });

  it('names the missing counter', () => {
    expect(() => parseUdpCounters('Tcp: A\nTcp: 1')).toThrow(/InDatagrams/);
  });

  it('reads this machine\'s counters', async () => {
    const counters = await readUdpCounters();
    expect(counters.inDatagrams).toBeGreaterThanOrEqual(0);
    expect(counters.rcvbufErrors).toBeGreaterThanOrEqual(0);
  });
});

const UDP_TABLE = [
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  '  156: 0100007F:82EF 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 515933 2 00000000e0f61ecf 0',
  '12990: 0100007F:B511 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 497984 2 000000002885b772 47307',
].join('\n');

describe('per-socket UDP drops', () => {
  it('reads the drops column of the socket bound to address:port', () => {
    expect(parseUdpSocketDrops(UDP_TABLE, '127.0.0.1', 0xb511)).toBe(47307);
    expect(parseUdpSocketDrops(UDP_TABLE, '127.0.0.1', 0x82ef)).toBe(0);
    expect(parseUdpSocketDrops(UDP_TABLE, '127.0.0.2', 0xb511)).toBeUndefined();
  });

  it('finds a socket bound here, with no drops', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      expect(await readUdpSocketDrops('127.0.0.1', socket.address().port)).toBe(0);
    } finally {
      socket.close();
    }
  });
});
