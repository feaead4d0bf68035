import { describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { freePort } from './free-port.js';

describe('freePort', () => {
  it('returns a UDP port that can be bound on loopback', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    await new Promise<void>((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve()));
    });
  });
});
