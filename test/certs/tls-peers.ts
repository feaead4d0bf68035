// Real node:tls peers for the certificate tests: an echo server whose certificate can be
// swapped, and a client that reports how its handshake went.
import { once } from 'node:events';
import tls from 'node:tls';

export interface EchoServer {
  server: tls.Server;
  port: number;
  /** Subject CN of each verified client certificate, in order of connection. */
  clientSubjects: string[];
  close(): Promise<void>;
}

/** A TLS server on 127.0.0.1 (port chosen by the kernel) that echoes every line back. */
export async function startEchoServer(options: tls.TlsOptions): Promise<EchoServer> {
  const sockets = new Set<tls.TLSSocket>();
  const clientSubjects: string[] = [];
  const server = tls.createServer(options, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const peer = socket.getPeerX509Certificate();
    if (peer) clientSubjects.push(peer.subject);
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    server,
    port,
    clientSubjects,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Handshake {
  secure: boolean;
  /** Node's error code when the handshake failed (e.g. ERR_TLS_CERT_ALTNAME_INVALID). */
  error?: string;
  socket: tls.TLSSocket;
}

/** Connects and waits for the handshake to complete or fail. The caller destroys the socket. */
export async function handshake(options: tls.ConnectionOptions): Promise<Handshake> {
  const socket = tls.connect({ host: '127.0.0.1', ...options });
  let error: string | undefined;
  socket.on('error', (failure: NodeJS.ErrnoException) => (error ??= failure.code ?? failure.message));
  const secure = await Promise.race([
    once(socket, 'secureConnect').then(() => true),
    once(socket, 'close').then(() => false),
  ]).catch(() => false);
  // A server that refuses the client's certificate closes after the client's handshake ends (TLS 1.3).
  if (secure) await roundTrip(socket, 'ping\n').catch((failure: Error) => (error ??= failure.message));
  return { secure: secure && error === undefined, ...(error !== undefined ? { error } : {}), socket };
}

/** Writes a line and resolves with the echo; rejects if the connection ends first. */
export function roundTrip(socket: tls.TLSSocket, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString();
      if (received.length >= line.length) {
        cleanup();
        resolve(received);
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error('connection closed before the echo'));
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onEnd);
      socket.off('end', onEnd);
    };
    socket.on('data', onData);
    socket.on('close', onEnd);
    socket.on('end', onEnd);
    socket.write(line);
  });
}
