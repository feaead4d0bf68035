import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { procNetIPv4, procNetTableHasSocket, waitForListeningSocket } from './listening-sockets.js';

const udpTable = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  ' 1: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0 0',
  ' 2: 00000000:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0 0',
].join('\n');

describe('procNetTableHasSocket', () => {
  it('encodes IPv4 addresses as /proc/net prints them', () => {
    expect(procNetIPv4('127.0.0.1')).toBe('0100007F');
    expect(procNetIPv4('127.0.0.3')).toBe('0300007F');
    expect(() => procNetIPv4('127.0.0')).toThrow(/not an IPv4/);
  });

  it('finds sockets on the exact address or the wildcard', () => {
    expect(procNetTableHasSocket(udpTable, 'udp', '127.0.0.1', 5060)).toBe(true);
    expect(procNetTableHasSocket(udpTable, 'udp', '127.0.0.2', 5060)).toBe(false);
    expect(procNetTableHasSocket(udpTable, 'udp', '127.0.0.9', 8080)).toBe(true);
    expect(procNetTableHasSocket(udpTable, 'udp', '127.0.0.1', 5061)).toBe(false);
  });

  it('counts only LISTEN sockets for TCP', () => {
    const tcp = udpTable.replace(' 07 ', ' 01 ');
    expect(procNetTableHasSocket(tcp, 'tcp', '127.0.0.1', 5060)).toBe(false);
    expect(procNetTableHasSocket(tcp.replace(' 01 ', ' 0A '), 'tcp', '127.0.0.1', 5060)).toBe(true);
  });
});

describe('waitForListeningSocket', () => {
  it('sees real UDP and TCP sockets and times out on a closed port', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const tcp = createServer();
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    try {
      const udpPort = udp.address().port;
      await waitForListeningSocket('udp', '127.0.0.1', udpPort, 1000);
      const tcpPort = (tcp.address() as { port: number }).port;
      await waitForListeningSocket('tcp', '127.0.0.1', tcpPort, 1000);
      udp.close();
      await expect(waitForListeningSocket('udp', '127.0.0.1', udpPort, 200)).rejects.toThrow(/nothing listening/);
    } finally {
      tcp.close();
    }
  });
});
