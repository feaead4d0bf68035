// The kernel's UDP receive-buffer errors for the POP's network namespace: the signal that
// media or SIP datagrams are being lost because a socket was not read fast enough.
// rtpengine drops such packets without counting them (notes/rtpengine.md), so this is
// the one figure that shows media overload. Read from /proc/net/snmp and /proc/net/snmp6
// at each scrape, so a POP needs no node_exporter for it.
import { readFileSync } from 'node:fs';
import { Counter, type Registry } from 'prom-client';
import type { IpFamily } from '../config/ip-literal.js';

export interface UdpErrorFiles {
  snmp: string;
  snmp6: string;
}

const procFiles: UdpErrorFiles = { snmp: '/proc/net/snmp', snmp6: '/proc/net/snmp6' };

/** RcvbufErrors per family from the texts of /proc/net/snmp and /proc/net/snmp6; a family missing from its file is left out. */
export function parseUdpReceiveBufferErrors(snmp: string, snmp6: string): Partial<Record<IpFamily, number>> {
  const result: Partial<Record<IpFamily, number>> = {};
  const udpLines = snmp.split('\n').filter((line) => line.startsWith('Udp: '));
  if (udpLines.length >= 2) {
    const names = (udpLines[0] as string).split(/\s+/);
    const values = (udpLines[1] as string).split(/\s+/);
    const index = names.indexOf('RcvbufErrors');
    if (index > 0 && values[index] !== undefined) result.ipv4 = Number(values[index]);
  }
  const v6 = /^Udp6RcvbufErrors\s+(\d+)/m.exec(snmp6);
  if (v6) result.ipv6 = Number(v6[1]);
  return result;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Registers vpop_udp_receive_buffer_errors_total{family} on the registry. */
export function registerUdpReceiveErrorMetric(registry: Registry, files: UdpErrorFiles = procFiles): void {
  const last: Partial<Record<IpFamily, number>> = {};
  new Counter({
    name: 'vpop_udp_receive_buffer_errors_total',
    help: 'UDP datagrams the kernel dropped because a socket receive buffer was full (all sockets of the POP\'s network namespace), by IP family',
    labelNames: ['family'],
    registers: [registry],
    collect() {
      const now = parseUdpReceiveBufferErrors(readOrEmpty(files.snmp), readOrEmpty(files.snmp6));
      for (const family of ['ipv4', 'ipv6'] as const) {
        const value = now[family];
        if (value === undefined) continue;
        // The kernel counter only grows; counting the difference keeps this a counter from 0 at POP start.
        const previous = last[family];
        this.inc({ family }, previous === undefined || value < previous ? 0 : value - previous);
        last[family] = value;
      }
    },
  });
}
