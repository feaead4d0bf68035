import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/free-port.js';
import { acceptsTcpConnections, tcpReadiness } from './tcp-probe.js';

describe('acceptsTcpConnections', () => {
  it('is true for a listening socket and false once it is closed', async () => {
    const port = await freePort();
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      expect(await acceptsTcpConnections('127.0.0.1', port)).toBe(true);
      expect(await tcpReadiness('127.0.0.1', port)()).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await acceptsTcpConnections('127.0.0.1', port)).toBe(false);
  });
});
