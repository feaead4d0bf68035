import { readFile } from 'node:fs/promises';

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
