import { describe, expect, it } from 'vitest';
import { parseUdpCounters, readUdpCounters } from './udp-counters.js';

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
