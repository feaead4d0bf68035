// Liveness of rtpengine's control plane: one ng `ping`, answered `pong`. The readiness
// probe of the rtpengine child, and a check anyone holding an ng address can use.
import { Client } from 'rtpengine-client';

export interface NgAddress {
  address: string;
  port: number;
}

/** True when rtpengine answers an ng ping with pong within timeoutMs; never throws. */
export async function pingRtpengine(target: NgAddress, timeoutMs = 1000): Promise<boolean> {
  // rtpengine-client 0.4 binds an IPv4 socket; bind it to loopback when talking to
  // loopback so the probe never leaves the host.
  const client = new Client({ timeout: timeoutMs, ...(target.address.startsWith('127.') ? { localAddress: '127.0.0.1' } : {}) });
  // Late answers and socket errors are reported as events; the probe result covers them.
  client.on('error', () => {});
  try {
    const response = await client.ping({ host: target.address, port: target.port });
    return response.result === 'pong';
  } catch {
    return false;
  } finally {
    client.close();
  }
}
