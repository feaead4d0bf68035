import { readFile } from 'node:fs/promises';
import { procNetIPv4 } from '../../test/support/listening-sockets.js';

/**
 * The kernel's UDP counters (/proc/net/snmp), machine-wide. RcvbufErrors counts datagrams
 * dropped because a socket's receive buffer was full: when a benchmark step fails with
 * retransmissions and timeouts, this tells lost packets from a slow peer.
 */
export interface UdpCounters {
  inDatagrams: number;
  rcvbufErrors: number;
}

export function parseUdpCounters(snmp: string): UdpCounters {
  const rows = snmp.split('\n').filter((line) => line.startsWith('Udp: '));
  const names = rows[0]?.split(/\s+/).slice(1) ?? [];
  const values = rows[1]?.split(/\s+/).slice(1).map(Number) ?? [];
  const counter = (name: string): number => {
    const value = values[names.indexOf(name)];
    if (value === undefined || !Number.isFinite(value)) throw new Error(`/proc/net/snmp has no Udp ${name}`);
    return value;
  };
  return { inDatagrams: counter('InDatagrams'), rcvbufErrors: counter('RcvbufErrors') };
}

export async function readUdpCounters(): Promise<UdpCounters> {
  return parseUdpCounters(await readFile('/proc/net/snmp', 'utf8'));
}

/**
 * Datagrams dropped on one bound UDP socket (last column of /proc/net/udp), so a failing
 * step says whose receive buffer overflowed: the engine's or SIPp's. Undefined when no
 * socket is bound there.
 */
export function parseUdpSocketDrops(table: string, address: string, port: number): number | undefined {
  const local = `${procNetIPv4(address)}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== local) continue;
    const drops = Number(fields[fields.length - 1]);
    return Number.isFinite(drops) ? drops : undefined;
  }
  return undefined;
}

export async function readUdpSocketDrops(address: string, port: number): Promise<number | undefined> {
  return parseUdpSocketDrops(await readFile('/proc/net/udp', 'utf8'), address, port);
}
