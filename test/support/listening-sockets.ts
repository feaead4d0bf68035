import { readFile } from 'node:fs/promises';

/**
 * Whether a socket is bound/listening on address:port, read from /proc/net.
 * Used to know when a background test peer (SIPp, baresip) is ready without
 * sending it a probe that it would count as an unexpected message.
 */

export type SocketProtocol = 'udp' | 'tcp';

const TCP_LISTEN_STATE = '0A';

/** Encodes an IPv4 address the way /proc/net/{udp,tcp} prints it (little-endian hex). */
export function procNetIPv4(address: string): string {
  const octets = address.split('.').map((part) => Number(part));
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) {
    throw new Error(`not an IPv4 address: ${address}`);
  }
  return octets
    .reverse()
    .map((octet) => octet.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

/**
 * True when a /proc/net table lists a socket bound to address:port (0.0.0.0 counts as
 * any address); for TCP only sockets in LISTEN state count.
 */
export function procNetTableHasSocket(table: string, protocol: SocketProtocol, address: string, port: number): boolean {
  const wantedPort = port.toString(16).padStart(4, '0').toUpperCase();
  const wantedAddresses = new Set([procNetIPv4(address), '00000000']);
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    if (!local || !state) continue;
    const [hexAddress, hexPort] = local.split(':');
    if (hexPort !== wantedPort || !hexAddress || !wantedAddresses.has(hexAddress)) continue;
    if (protocol === 'tcp' && state !== TCP_LISTEN_STATE) continue;
    return true;
  }
  return false;
}

/** Polls /proc/net until address:port is bound (UDP) or listening (TCP), or throws after timeoutMs. */
export async function waitForListeningSocket(
  protocol: SocketProtocol,
  address: string,
  port: number,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const table = await readFile(`/proc/net/${protocol}`, 'utf8');
    if (procNetTableHasSocket(table, protocol, address, port)) return;
    if (!isAlive()) throw new Error(`process exited before listening on ${protocol} ${address}:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nothing listening on ${protocol} ${address}:${port} after ${timeoutMs} ms`);
}
