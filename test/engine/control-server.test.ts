// A real drachtio-srf app connecting to the engine's control server.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { newSrf, type SrfApp } from './srf-app.js';
import { ControlServer, type ControlHandler, type ControlServerOptions } from '../../edge/engine/control/control-server.js';
import type { Socket } from 'node:net';
import { encodeFrame, ControlFrameReader } from '../../edge/engine/control/control-frame.js';
import { freePort } from '../support/free-port.js';

const SECRET = 'cymru';

const idleHandler: ControlHandler = { onAppSip: () => undefined, onAppProxy: () => undefined, onAppGone: () => undefined };

async function startServer(handler: ControlHandler = idleHandler, extra: Partial<ControlServerOptions> = {}): Promise<ControlServer> {
  const server = new ControlServer({
    address: '127.0.0.1', port: await freePort(), secret: SECRET,
    hostports: () => ['udp/127.0.0.1:5999', 'tcp/127.0.0.1:5999'],
    authTimeoutMs: 500,
    ...extra,
  }, handler);
  await server.start();
  return server;
}

/** Send raw frames on a plain socket and collect the engine's answers until it closes or `count` arrive. */
async function rawExchange(port: number, input: Buffer, count: number): Promise<{ answers: string[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const reader = new ControlFrameReader();
    const answers: string[] = [];
    const timer = setTimeout(() => { socket.destroy(); resolve({ answers, closed: false }); }, 2000);
    socket.on('data', (chunk) => {
      answers.push(...reader.push(chunk));
      if (answers.length >= count) { clearTimeout(timer); socket.destroy(); resolve({ answers, closed: false }); }
    });
    socket.on('close', () => { clearTimeout(timer); resolve({ answers, closed: true }); });
    socket.on('error', () => undefined);
    socket.write(input);
  });
}

describe('control server with a drachtio-srf app', () => {
  let server: ControlServer | undefined;
  let srf: SrfApp | undefined;
  afterEach(async () => {
    srf?.disconnect();
    srf = undefined;
    await server?.stop();
    server = undefined;
  });

  it('authenticates an app, reports hostports and version, and records its routes', async () => {
    server = await startServer();
    const app = newSrf();
    srf = app;
    app.invite(() => undefined);
    app.options(() => undefined);
    const connected = new Promise<{ hostport: string; version: string }>((resolve, reject) => {
      app.on('connect', (err: Error | null, hostport: string, version: string) => (err ? reject(err) : resolve({ hostport, version })));
    });
    app.connect({ host: '127.0.0.1', port: server.port, secret: SECRET });
    const { hostport, version } = await connected;
    expect(hostport).toBe('udp/127.0.0.1:5999,tcp/127.0.0.1:5999');
    expect(version).toMatch(/^v0\.9\.\d+/);
    await expect.poll(() => server!.routes.appsFor('invite').length).toBe(1);
    await expect.poll(() => server!.routes.appsFor('options').length).toBe(1);
    expect(server.connectedApps).toBe(1);
  });

  it('rejects a wrong secret', async () => {
    server = await startServer();
    const app = newSrf();
    srf = app;
    app.on('error', () => undefined);
    const result = new Promise<Error | null>((resolve) => app.on('connect', (err: Error | null) => resolve(err)));
    app.connect({ host: '127.0.0.1', port: server.port, secret: 'wrong', reconnect: { maxAttempts: 1 } });
    expect((await result)?.message).toMatch(/failed to authenticate/);
  });

  it('answers ping and route, and drops routes when the app leaves', async () => {
    server = await startServer();
    const input = Buffer.concat([encodeFrame(`a1|authenticate|${SECRET}|`), encodeFrame('a2|route|invite'), encodeFrame('a3|ping')]);
    const { answers } = await rawExchange(server.port, input, 3);
    expect(answers[0]).toMatch(/^[^|]+\|response\|a1\|OK\|udp\/127\.0\.0\.1:5999/);
    expect(answers[1]).toMatch(/^[^|]+\|response\|a2\|OK$/);
    expect(answers[2]).toMatch(/^[^|]+\|response\|a3\|OK/);
    await expect.poll(() => server!.routes.appsFor('invite').length).toBe(0);
  });

  it.each([
    ['garbage framing', Buffer.from('hello world#\r\n')],
    ['a command before authentication', encodeFrame('x|route|invite')],
    ['an unknown message type', Buffer.concat([encodeFrame(`a1|authenticate|${SECRET}|`), encodeFrame('a2|explode')])],
  ])('closes the connection on %s and keeps serving others', async (_label, input) => {
    server = await startServer();
    const { closed } = await rawExchange(server.port, input, 99);
    expect(closed).toBe(true);
    const { answers } = await rawExchange(server.port, encodeFrame(`b1|authenticate|${SECRET}|`), 1);
    expect(answers[0]).toMatch(/\|response\|b1\|OK/);
  });

  it('bounds unauthenticated connections (closed at accept above the limit) and their frame size, without locking out the app', async () => {
    server = await startServer(idleHandler, { maxUnauthenticatedConnections: 3, authTimeoutMs: 60_000 });
    const port = server.port;
    const idle: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        idle.push(socket);
      }
      await expect.poll(() => server!.connectedApps).toBe(3);
      // A fourth is closed at once, long before the 60 s authentication deadline.
      const fourth = await rawExchange(port, encodeFrame(`a1|authenticate|${SECRET}|`), 1);
      expect(fourth).toEqual({ answers: [], closed: true });
      // One slot frees: a real app authenticates in it.
      const freed = idle.pop()!;
      await new Promise((resolve) => { freed.once('close', resolve); freed.destroy(); });
      await expect.poll(() => server!.connectedApps).toBe(2);
      const app = newSrf();
      srf = app;
      app.invite(() => undefined);
      app.connect({ host: '127.0.0.1', port, secret: SECRET });
      await expect.poll(() => server!.routes.appsFor('invite').length).toBe(1);
      // The authenticated app no longer holds an unauthenticated slot: another connection is accepted.
      const after = await rawExchange(port, encodeFrame(`a2|authenticate|${SECRET}|`), 1);
      expect(after.answers[0]).toContain('|a2|OK|');
      // Before authentication a frame larger than an authenticate message is refused.
      const big = await rawExchange(port, Buffer.from(`${64 * 1024}#`), 99);
      expect(big.closed).toBe(true);
    } finally {
      for (const socket of idle) socket.destroy();
    }
  });

  it('closes a connection that never authenticates', async () => {
    server = await startServer();
    const { closed, answers } = await rawExchange(server.port, Buffer.alloc(0), 99);
    expect(closed).toBe(true);
    expect(answers).toEqual([]);
  });
});
