import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { readUdpSocketDropsWhere, sumUdpSocketDrops } from './udp-socket-drops.js';

// Two rows of /proc/net/udp (header, then sockets; drops are the last column).
const TABLE = [
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  '  1: 0100007F:4E20 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 5',
  '  2: 0100007F:4E21 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2 2 0000000000000000 7',
  '  3: 0400007F:1770 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 0000000000000000 11',
].join('\n');

describe('sumUdpSocketDrops', () => {
  it('sums the drops of the sockets in a port range, on an address, or both', () => {
    expect(sumUdpSocketDrops(TABLE, { portMin: 20000, portMax: 20001 })).toEqual({ sockets: 2, drops: 12 });
    expect(sumUdpSocketDrops(TABLE, { portMin: 20001, portMax: 20001 })).toEqual({ sockets: 1, drops: 7 });
    expect(sumUdpSocketDrops(TABLE, { address: '127.0.0.4' })).toEqual({ sockets: 1, drops: 11 });
    expect(sumUdpSocketDrops(TABLE, { address: '127.0.0.1', portMin: 20001 })).toEqual({ sockets: 1, drops: 7 });
    expect(sumUdpSocketDrops(TABLE, { address: '127.0.0.9' })).toEqual({ sockets: 0, drops: 0 });
  });

  describe('on this machine', () => {
    const sockets: Socket[] = [];
    afterEach(() => { for (const socket of sockets.splice(0)) socket.close(); });

    it('finds a socket just bound on a loopback address', async () => {
      const socket = createSocket('udp4');
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.4', resolve));
      const port = socket.address().port;
      expect(await readUdpSocketDropsWhere({ address: '127.0.0.4', portMin: port, portMax: port })).toEqual({ sockets: 1, drops: 0 });
    });
  });
});
