import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { healthzUrl, probeHealthz } from './probe-healthz.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serveStatus(status: number): Promise<number> {
  const server = createServer((_request, response) => response.writeHead(status).end('{}'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('probeHealthz', () => {
  it('builds the URL from the ops section, probing wildcards on loopback', () => {
    expect(healthzUrl({ address: '198.51.100.10', port: 9090 })).toBe('http://198.51.100.10:9090/healthz');
    expect(healthzUrl({ address: '0.0.0.0', port: 9090 })).toBe('http://127.0.0.1:9090/healthz');
    expect(healthzUrl({ address: '::', port: 9090 })).toBe('http://[::1]:9090/healthz');
  });
  it('is true for 200 and false for 503 or nothing listening', async () => {
    expect(await probeHealthz({ address: '127.0.0.1', port: await serveStatus(200) })).toBe(true);
    expect(await probeHealthz({ address: '127.0.0.1', port: await serveStatus(503) })).toBe(false);
    const closedPort = await serveStatus(200);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await probeHealthz({ address: '127.0.0.1', port: closedPort }, 500)).toBe(false);
  });
});
