// A UDP relay in front of a real rtpengine's ng port that loses the first requests it is
// given, as rtpengine's own control socket does when its receive queue is full.
import { createSocket, type RemoteInfo } from 'node:dgram';

export interface LossyUdpRelay {
  port: number;
  /** Requests dropped so far. */
  readonly dropped: number;
  /** Requests passed on to the target so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

export async function startLossyUdpRelay(target: { address: string; port: number }, dropFirst: number): Promise<LossyUdpRelay> {
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  let client: RemoteInfo | undefined;
  let dropped = 0;
  let forwarded = 0;
  front.on('message', (message, from) => {
    if (dropped < dropFirst) {
      dropped++;
      return;
    }
    client = from;
    forwarded++;
    back.send(message, target.port, target.address);
  });
  back.on('message', (message) => {
    if (client) front.send(message, client.port, client.address);
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => back.bind(0, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    get dropped() { return dropped; },
    get forwarded() { return forwarded; },
    close: async () => {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await new Promise<void>((resolve) => back.close(() => resolve()));
    },
  };
}
