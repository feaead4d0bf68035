// Readiness of a child that serves TCP (the SIP engine's control port, an HTTP API):
// it accepts a connection. The connection is closed at once.
import { connect } from 'node:net';

/** True when host:port accepts a TCP connection within timeoutMs; never throws. */
export function acceptsTcpConnections(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A ChildSpec readiness probe for a TCP listener. */
export function tcpReadiness(host: string, port: number, timeoutMs = 1000): () => Promise<boolean> {
  return () => acceptsTcpConnections(host, port, timeoutMs);
}
