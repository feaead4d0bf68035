import { readFile } from 'node:fs/promises';
import { procNetIPv4 } from '../../test/support/listening-sockets.js';

/** Which bound UDP sockets to count: an address, a port range, or both. */
export interface UdpSocketSelection {
  address?: string;
  portMin?: number;
  portMax?: number;
}

/**
 * Datagrams dropped on full receive buffers, summed over the selected sockets of a
 * /proc/net/udp table (last column): e.g. every rtpengine media port, or every socket of
 * SIPp's address. A socket's count goes with it when it closes, so read while calls are up.
 */
export function sumUdpSocketDrops(table: string, selection: UdpSocketSelection): { sockets: number; drops: number } {
  const address = selection.address === undefined ? undefined : procNetIPv4(selection.address);
  let sockets = 0;
  let drops = 0;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [localAddress, localPort] = (fields[1] ?? '').split(':');
    if (localAddress === undefined || localPort === undefined) continue;
    const port = Number.parseInt(localPort, 16);
    if (address !== undefined && localAddress !== address) continue;
    if (selection.portMin !== undefined && port < selection.portMin) continue;
    if (selection.portMax !== undefined && port > selection.portMax) continue;
    const socketDrops = Number(fields[fields.length - 1]);
    sockets += 1;
    if (Number.isFinite(socketDrops)) drops += socketDrops;
  }
  return { sockets, drops };
}

export async function readUdpSocketDropsWhere(selection: UdpSocketSelection): Promise<{ sockets: number; drops: number }> {
  return sumUdpSocketDrops(await readFile('/proc/net/udp', 'utf8'), selection);
}
