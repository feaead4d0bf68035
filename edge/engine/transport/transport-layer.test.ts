// The transport layer against real sockets on loopback: 127.0.0.1 is a listed
// carrier, 127.0.0.2 an unlisted source, 127.0.0.3 a listed carrier used for limits.
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AllowList } from '../allow-list/allow-list.js';
import { TransportLayer } from './transport-layer.js';
import type { ListenerConfig, MessageOrigin, TransportLimits } from './types.js';

function options(branch: string, body = ''): string {
  return (
    `OPTIONS sip:edge@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK${branch}\r\n` +
    `Call-ID: ${branch}\r\nCSeq: 1 OPTIONS\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

interface Received {
  raw: string;
  origin: MessageOrigin;
}

const layers: TransportLayer[] = [];
const sockets: { destroy?: () => void; close?: () => void }[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    try {
      if (socket.destroy) socket.destroy();
      else socket.close?.();
    } catch {
      // already closed
    }
  }
  await Promise.all(layers.splice(0).map((layer) => layer.stop()));
});

async function startLayer(listeners: Omit<ListenerConfig, 'port'>[], limits?: TransportLimits) {
  const registry = new Registry();
  const layer = new TransportLayer({
    listeners: listeners.map((listener) => ({ ...listener, port: 0 })),
    registry,
    ...(limits ? { limits } : {}),
  });
  layers.push(layer);
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  layer.onMessage((raw, origin) => {
    received.push({ raw: raw.toString(), origin });
    for (const wake of waiters.splice(0)) wake();
  });
  await layer.start();
  const nextMessages = async (count: number): Promise<Received[]> => {
    for (let i = 0; i < 200 && received.length < count; i++) {
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), delay(50)]);
    }
    return received;
  };
  const port = (name: string) => layer.boundListeners().find((info) => info.name === name)?.port ?? 0;
  return { layer, registry, received, nextMessages, port };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
  return match?.value ?? 0;
}

async function udpClient(address: string): Promise<{ socket: dgram.Socket; replies: Buffer[] }> {
  const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  sockets.push(socket);
  const replies: Buffer[] = [];
  socket.on('message', (message) => replies.push(message));
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  return { socket, replies };
}

function udpSend(socket: dgram.Socket, text: string, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => socket.send(Buffer.from(text), port, host, (error) => (error ? reject(error) : resolve())));
}

async function tcpClient(port: number, localAddress: string, host = '127.0.0.1') {
  const socket = net.connect({ host, port, localAddress });
  sockets.push(socket);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<{ error?: NodeJS.ErrnoException }>((resolve) => {
    let error: NodeJS.ErrnoException | undefined;
    socket.on('error', (e) => (error = e));
    socket.on('close', () => resolve(error ? { error } : {}));
  });
  return { socket, chunks, closed, text: () => Buffer.concat(chunks).toString() };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (condition()) return;
    await delay(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const LOCAL_ONLY = AllowList.parse(['127.0.0.1/32', '127.0.0.3/32']);

describe('UDP listener', () => {
  it('drops datagrams from unlisted sources silently and counts them; serves listed ones', async () => {
    const { layer, registry, received, nextMessages, port } = await startLayer([
      { name: 'udp-main', transport: 'udp', address: '127.0.0.1', allowList: LOCAL_ONLY },
    ]);
    const attacker = await udpClient('127.0.0.2');
    const carrier = await udpClient('127.0.0.1');
    await udpSend(attacker.socket, options('attacker'), port('udp-main'), '127.0.0.1');
    await udpSend(carrier.socket, options('carrier'), port('udp-main'), '127.0.0.1');
    await nextMessages(1);
    await delay(50);
    expect(received.map((message) => message.raw)).toEqual([options('carrier')]);
    expect(received[0]?.origin).toEqual({
      transport: 'udp',
      remoteAddress: '127.0.0.1',
      remotePort: carrier.socket.address().port,
      localAddress: '127.0.0.1',
      localPort: port('udp-main'),
      listenerName: 'udp-main',
    });
    expect(await metricValue(registry, 'vpop_engine_allowlist_drops_total', { listener: 'udp-main', transport: 'udp' })).toBe(1);
    expect(attacker.replies).toEqual([]);

    // A response goes back to the origin.
    const origin = received[0]?.origin as MessageOrigin;
    await layer.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), {
      transport: 'udp',
      address: origin.remoteAddress,
      port: origin.remotePort,
    });
    await waitFor(() => carrier.replies.length === 1, 'the UDP response');
    expect(carrier.replies[0]?.toString()).toContain('200 OK');
  });

  it('ignores CRLF keep-alives and oversize datagrams', async () => {
    const { registry, received, nextMessages, port } = await startLayer(
      [{ name: 'udp-main', transport: 'udp', address: '127.0.0.1', allowList: LOCAL_ONLY }],
      { maxDatagramBytes: 1200 },
    );
    const carrier = await udpClient('127.0.0.1');
    await udpSend(carrier.socket, '\r\n\r\n', port('udp-main'), '127.0.0.1');
    await udpSend(carrier.socket, options('big', 'x'.repeat(1500)), port('udp-main'), '127.0.0.1');
    await udpSend(carrier.socket, options('small'), port('udp-main'), '127.0.0.1');
    await nextMessages(1);
    await delay(50);
    expect(received.map((message) => message.raw)).toEqual([options('small')]);
    expect(await metricValue(registry, 'vpop_engine_transport_datagrams_dropped_total', { listener: 'udp-main', reason: 'oversize' })).toBe(1);
  });

  it('changes its answer when the allow-list is replaced at run time', async () => {
    const { layer, received, nextMessages, port } = await startLayer([
      { name: 'udp-main', transport: 'udp', address: '127.0.0.1', allowList: LOCAL_ONLY },
    ]);
    const peer = await udpClient('127.0.0.2');
    layer.setAllowList('udp-main', AllowList.parse(['127.0.0.0/30']));
    await udpSend(peer.socket, options('now-listed'), port('udp-main'), '127.0.0.1');
    await nextMessages(1);
    expect(received.map((message) => message.origin.remoteAddress)).toEqual(['127.0.0.2']);
    layer.setAllowList('udp-main', LOCAL_ONLY);
    const control = await udpClient('127.0.0.1');
    await udpSend(peer.socket, options('delisted'), port('udp-main'), '127.0.0.1');
    await udpSend(control.socket, options('control'), port('udp-main'), '127.0.0.1');
    await nextMessages(2);
    await delay(50);
    expect(received.map((message) => message.raw)).toEqual([options('now-listed'), options('control')]);
  });
});

describe('TCP listener', () => {
  it('resets connections from unlisted sources at accept and counts them', async () => {
    const { layer, registry, received, port } = await startLayer([
      { name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY },
    ]);
    const attacker = await tcpClient(port('tcp-main'), '127.0.0.2');
    attacker.socket.write(options('attacker'));
    const outcome = await attacker.closed;
    expect(outcome.error?.code ?? 'closed').toMatch(/ECONNRESET|EPIPE|closed/);
    expect(attacker.chunks).toEqual([]);
    expect(received).toEqual([]);
    expect(layer.connectionCount).toBe(0);
    expect(await metricValue(registry, 'vpop_engine_allowlist_drops_total', { listener: 'tcp-main', transport: 'tcp' })).toBe(1);
  });

  it('frames messages from a listed source and answers on the same connection', async () => {
    const { layer, received, nextMessages, port } = await startLayer([
      { name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY },
    ]);
    const carrier = await tcpClient(port('tcp-main'), '127.0.0.1');
    await once(carrier.socket, 'connect');
    const two = options('one', 'v=0\r\n') + options('two');
    carrier.socket.write(two);
    const third = options('three', 'body-three');
    carrier.socket.write(third.slice(0, 30));
    await delay(20);
    carrier.socket.write(third.slice(30));
    await nextMessages(3);
    expect(received.map((message) => message.raw)).toEqual([options('one', 'v=0\r\n'), options('two'), third]);
    const origin = received[0]?.origin as MessageOrigin;
    expect(origin).toMatchObject({
      transport: 'tcp',
      remoteAddress: '127.0.0.1',
      remotePort: carrier.socket.localPort,
      localPort: port('tcp-main'),
      listenerName: 'tcp-main',
    });
    expect(origin.connectionId).toEqual(expect.any(String));
    expect(received[2]?.origin).toBe(origin);

    await layer.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), {
      transport: 'tcp',
      address: origin.remoteAddress,
      port: origin.remotePort,
      connectionId: origin.connectionId as string,
    });
    await waitFor(() => carrier.text().includes('200 OK'), 'the response on the client socket');
    expect(layer.connectionCount).toBe(1);
  });

  it('answers a CRLFCRLF ping with a single CRLF pong', async () => {
    const { registry, port } = await startLayer([{ name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY }]);
    const carrier = await tcpClient(port('tcp-main'), '127.0.0.1');
    carrier.socket.write('\r\n\r\n');
    await waitFor(() => carrier.text() === '\r\n', 'the pong');
    await delay(50);
    expect(carrier.text()).toBe('\r\n');
    expect(await metricValue(registry, 'vpop_engine_transport_keepalive_pings_total', { transport: 'tcp' })).toBe(1);
  });

  it('closes a connection that sends an oversize message or omits Content-Length', async () => {
    const { registry, received, port } = await startLayer(
      [{ name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY }],
      { maxMessageBytes: 1000 },
    );
    const big = await tcpClient(port('tcp-main'), '127.0.0.1');
    big.socket.write(options('big', 'x'.repeat(2000)));
    await big.closed;
    const bare = await tcpClient(port('tcp-main'), '127.0.0.1');
    bare.socket.write('OPTIONS sip:x SIP/2.0\r\nCall-ID: a\r\n\r\n');
    await bare.closed;
    expect(received).toEqual([]);
    expect(await metricValue(registry, 'vpop_engine_transport_stream_errors_total', { transport: 'tcp', reason: 'message-too-large' })).toBe(1);
    expect(await metricValue(registry, 'vpop_engine_transport_stream_errors_total', { transport: 'tcp', reason: 'missing-content-length' })).toBe(1);
  });

  it('limits connections per source address', async () => {
    const { layer, registry, port } = await startLayer(
      [{ name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY }],
      { maxConnectionsPerAddress: 2 },
    );
    const first = await tcpClient(port('tcp-main'), '127.0.0.3');
    const second = await tcpClient(port('tcp-main'), '127.0.0.3');
    await Promise.all([once(first.socket, 'connect'), once(second.socket, 'connect')]);
    await waitFor(() => layer.connectionCount === 2, 'two connections');
    const third = await tcpClient(port('tcp-main'), '127.0.0.3');
    await third.closed;
    const other = await tcpClient(port('tcp-main'), '127.0.0.1');
    await once(other.socket, 'connect');
    await waitFor(() => layer.connectionCount === 3, 'a connection from another address');
    expect(first.socket.destroyed).toBe(false);
    expect(
      await metricValue(registry, 'vpop_engine_transport_connections_rejected_total', {
        listener: 'tcp-main',
        reason: 'max-connections-per-address',
      }),
    ).toBe(1);
    // A slot frees up when a connection closes.
    first.socket.destroy();
    await waitFor(() => layer.connectionCount === 2, 'the first connection to go');
    const fourth = await tcpClient(port('tcp-main'), '127.0.0.3');
    await once(fourth.socket, 'connect');
    await waitFor(() => layer.connectionCount === 3, 'the replacement connection');
  });

  it('closes idle connections', async () => {
    const { layer, registry, port } = await startLayer(
      [{ name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY }],
      { idleTimeoutMs: 300 },
    );
    const carrier = await tcpClient(port('tcp-main'), '127.0.0.1');
    await once(carrier.socket, 'connect');
    const started = Date.now();
    await carrier.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(layer.connectionCount).toBe(0);
    expect(await metricValue(registry, 'vpop_engine_transport_stream_errors_total', { transport: 'tcp', reason: 'idle-timeout' })).toBe(1);
  });

  it('closes open connections from a source that a reloaded allow-list no longer lists', async () => {
    const { layer, nextMessages, port } = await startLayer([
      { name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY },
    ]);
    const refused = await tcpClient(port('tcp-main'), '127.0.0.2');
    await refused.closed;
    layer.setAllowList('tcp-main', AllowList.parse(['127.0.0.0/29']));
    const admitted = await tcpClient(port('tcp-main'), '127.0.0.2');
    admitted.socket.write(options('admitted'));
    await nextMessages(1);
    const stays = await tcpClient(port('tcp-main'), '127.0.0.1');
    await waitFor(() => layer.connectionCount === 2, 'both connections');
    layer.setAllowList('tcp-main', LOCAL_ONLY);
    await admitted.closed;
    expect(stays.socket.destroyed).toBe(false);
    expect(layer.connectionCount).toBe(1);
  });

  it('connects out when no connection exists, reuses it, and delivers what comes back on it', async () => {
    const { layer, received, nextMessages } = await startLayer([
      { name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY },
    ]);
    const peerSockets: net.Socket[] = [];
    const peerData: string[] = [];
    const peer = net.createServer((socket) => {
      peerSockets.push(socket);
      socket.on('data', (chunk) => peerData.push(chunk.toString()));
    });
    sockets.push({ close: () => peer.close() });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.3', resolve));
    const peerPort = (peer.address() as net.AddressInfo).port;
    const target = { transport: 'tcp' as const, address: '127.0.0.3', port: peerPort };
    await Promise.all([layer.send(Buffer.from(options('a')), target), layer.send(Buffer.from(options('b')), target)]);
    await layer.send(Buffer.from(options('c')), target);
    await waitFor(() => peerData.join('').includes('Call-ID: c'), 'the third request at the peer');
    expect(peerSockets).toHaveLength(1);
    peerSockets[0]?.write('SIP/2.0 200 OK\r\nCall-ID: a\r\nContent-Length: 0\r\n\r\n');
    await nextMessages(1);
    expect(received[0]?.origin).toMatchObject({ transport: 'tcp', remoteAddress: '127.0.0.3', remotePort: peerPort, listenerName: 'tcp-main' });
    for (const socket of peerSockets) socket.destroy();
  });

  it('fails a send to a target that refuses the connection', async () => {
    const { layer } = await startLayer([{ name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY }]);
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await expect(layer.send(Buffer.from(options('x')), { transport: 'tcp', address: '127.0.0.1', port: closedPort })).rejects.toThrow(
      /cannot connect tcp/,
    );
  });
});

describe('TCP framing under load', () => {
  it('delivers a thousand messages written in uneven pieces, in order', async () => {
    const { received, nextMessages, port } = await startLayer([
      { name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY },
    ]);
    const carrier = await tcpClient(port('tcp-main'), '127.0.0.1');
    await once(carrier.socket, 'connect');
    const texts = Array.from({ length: 1000 }, (_, i) => options(`m${i}`, i % 3 === 0 ? `v=0\r\ns=${'x'.repeat(i % 200)}\r\n` : ''));
    const stream = Buffer.from(texts.join(''));
    let at = 0;
    for (let piece = 1; at < stream.length; piece = (piece * 7 + 3) % 1500) {
      carrier.socket.write(stream.subarray(at, at + piece + 1));
      at += piece + 1;
    }
    await nextMessages(1000);
    expect(received).toHaveLength(1000);
    expect(received.map((message) => message.raw)).toEqual(texts);
  });
});

describe('TCP connection lifecycle', () => {
  it('reports closed connections with their origin and closes one on request', async () => {
    const { layer, received, nextMessages, port } = await startLayer([
      { name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY },
    ]);
    const closedOrigins: MessageOrigin[] = [];
    layer.onConnectionClosed((origin) => closedOrigins.push(origin));
    const first = await tcpClient(port('tcp-main'), '127.0.0.1');
    const second = await tcpClient(port('tcp-main'), '127.0.0.3');
    first.socket.write(options('first'));
    second.socket.write(options('second'));
    await nextMessages(2);
    const byAddress = (address: string) => received.find((message) => message.origin.remoteAddress === address)?.origin as MessageOrigin;
    first.socket.destroy();
    await waitFor(() => closedOrigins.length === 1, 'the close report');
    expect(closedOrigins[0]).toBe(byAddress('127.0.0.1'));
    const secondId = byAddress('127.0.0.3').connectionId as string;
    expect(layer.hasConnection(secondId)).toBe(true);
    expect(layer.closeConnection(secondId)).toBe(true);
    await second.closed;
    expect(layer.hasConnection(secondId)).toBe(false);
    expect(layer.closeConnection(secondId)).toBe(false);
    expect(closedOrigins).toHaveLength(2);
  });

  it('refuses connections beyond the total limit', async () => {
    const { layer, registry, port } = await startLayer(
      [{ name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY }],
      { maxConnections: 1 },
    );
    const first = await tcpClient(port('tcp-main'), '127.0.0.1');
    await once(first.socket, 'connect');
    await waitFor(() => layer.connectionCount === 1, 'the first connection');
    const second = await tcpClient(port('tcp-main'), '127.0.0.3');
    await second.closed;
    expect(first.socket.destroyed).toBe(false);
    expect(await metricValue(registry, 'vpop_engine_transport_connections_rejected_total', { listener: 'tcp-main', reason: 'max-connections' })).toBe(1);
  });

  it('closes a connection whose peer stops reading once too much is queued', async () => {
    const { layer, registry, received, nextMessages, port } = await startLayer(
      [{ name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY }],
      { maxBufferedBytes: 256 * 1024 },
    );
    const stalled = await tcpClient(port('tcp-main'), '127.0.0.1');
    stalled.socket.write(options('stalled'));
    await nextMessages(1);
    stalled.socket.pause();
    const origin = received[0]?.origin as MessageOrigin;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let failure: Error | undefined;
    // The kernel absorbs a few MB on loopback before our own queue starts to grow.
    for (let i = 0; i < 2000 && !failure; i++) {
      layer
        .send(chunk, { transport: 'tcp', address: origin.remoteAddress, port: origin.remotePort, connectionId: origin.connectionId as string })
        .catch((error: Error) => (failure ??= error));
      if (i % 20 === 19) await delay(1);
    }
    await waitFor(() => failure !== undefined, 'a refused send');
    expect(failure?.message).toMatch(/closed/);
    expect(layer.hasConnection(origin.connectionId as string)).toBe(false);
    expect(await metricValue(registry, 'vpop_engine_transport_stream_errors_total', { transport: 'tcp', reason: 'send-buffer-full' })).toBe(1);
  });
});

describe('UDP sending', () => {
  it('refuses names and address families it has no listener for', async () => {
    const { layer } = await startLayer([{ name: 'udp-main', transport: 'udp', address: '127.0.0.1', allowList: LOCAL_ONLY }]);
    const data = Buffer.from('x');
    await expect(layer.send(data, { transport: 'udp', address: 'carrier.example.net', port: 5060 })).rejects.toThrow(/must be an IP address/);
    await expect(layer.send(data, { transport: 'udp', address: '::1', port: 5060 })).rejects.toThrow(/no UDP listener for IPv6/);
  });
});

describe('IPv6', () => {
  it('drops v6 datagrams that a v4-only list does not cover', async () => {
    const { registry, received, port } = await startLayer([
      { name: 'udp6', transport: 'udp', address: '::1', allowList: LOCAL_ONLY },
    ]);
    const udp = await udpClient('::1');
    await udpSend(udp.socket, options('v6-unlisted'), port('udp6'), '::1');
    let drops = 0;
    for (let i = 0; i < 100 && drops === 0; i++) {
      await delay(20);
      drops = await metricValue(registry, 'vpop_engine_allowlist_drops_total', { listener: 'udp6', transport: 'udp' });
    }
    expect(drops).toBe(1);
    expect(received).toEqual([]);
  });

  it('serves UDP and TCP on ::1', async () => {
    const v6Only = AllowList.parse(['::1/128']);
    const { layer, received, nextMessages, port } = await startLayer([
      { name: 'udp6', transport: 'udp', address: '::1', allowList: v6Only },
      { name: 'tcp6', transport: 'tcp', address: '::1', allowList: v6Only },
    ]);
    expect(layer.listenerFor('udp', '::1')).toMatchObject({ name: 'udp6', family: 6, address: '::1' });
    const udp = await udpClient('::1');
    await udpSend(udp.socket, options('udp6'), port('udp6'), '::1');
    await nextMessages(1);
    expect(received[0]?.origin).toMatchObject({ transport: 'udp', remoteAddress: '::1', localAddress: '::1', listenerName: 'udp6' });
    const origin = received[0]?.origin as MessageOrigin;
    await layer.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), { transport: 'udp', address: `[${origin.remoteAddress}]`, port: origin.remotePort });
    await waitFor(() => udp.replies.length === 1, 'the UDP reply over v6');

    const tcp = await tcpClient(port('tcp6'), '::1', '::1');
    tcp.socket.write(options('tcp6'));
    await nextMessages(2);
    expect(received[1]?.origin).toMatchObject({ transport: 'tcp', remoteAddress: '::1', listenerName: 'tcp6' });
  });
});

describe('listeners', () => {
  it('report bound ports and sent-by, with the public address when configured', async () => {
    const { layer } = await startLayer([
      { name: 'udp-main', transport: 'udp', address: '127.0.0.1', publicAddress: '192.0.2.10', publicPort: 5060, allowList: LOCAL_ONLY },
      { name: 'tcp-main', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY },
    ]);
    const [udp, tcp] = layer.boundListeners();
    expect(udp).toMatchObject({ name: 'udp-main', sentByAddress: '192.0.2.10', sentByPort: 5060, family: 4 });
    expect(udp?.port).toBeGreaterThan(0);
    expect(tcp).toMatchObject({ name: 'tcp-main', sentByAddress: '127.0.0.1', sentByPort: tcp?.port });
    expect(layer.listenerFor('tcp')?.name).toBe('tcp-main');
    expect(layer.listenerFor('tls')).toBeUndefined();
  });

  it('picks the listener of the peer address family, or one bound to the given address', async () => {
    const { layer } = await startLayer([
      { name: 'udp4', transport: 'udp', address: '127.0.0.1', allowList: LOCAL_ONLY },
      { name: 'udp6', transport: 'udp', address: '::1', allowList: LOCAL_ONLY },
      { name: 'udp4-public', transport: 'udp', address: '127.0.0.1', publicAddress: '198.51.100.7', allowList: LOCAL_ONLY },
    ]);
    expect(layer.listenerFor('udp', '::ffff:127.0.0.9')?.name).toBe('udp4');
    expect(layer.listenerFor('udp', '[::1]')?.name).toBe('udp6');
    expect(layer.listenerFor('udp', '198.51.100.7')?.name).toBe('udp4-public');
    expect(layer.listenerFor('udp')?.name).toBe('udp4');
    expect(layer.listenerNamed('udp6')?.family).toBe(6);
    expect(layer.listenerNamed('nope')).toBeUndefined();
  });

  it('refuses to start when a port is taken, naming the listener', async () => {
    const { port } = await startLayer([{ name: 'first', transport: 'tcp', address: '127.0.0.1', allowList: LOCAL_ONLY }]);
    const clash = new TransportLayer({
      listeners: [{ name: 'second', transport: 'tcp', address: '127.0.0.1', port: port('first'), allowList: LOCAL_ONLY }],
      registry: new Registry(),
    });
    await expect(clash.start()).rejects.toThrow(/listener 'second' cannot listen on 127\.0\.0\.1/);
  });
});
