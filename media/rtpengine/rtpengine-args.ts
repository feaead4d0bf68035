// The rtpengine command line for a POP, generated from the POP file alone. The flags
// are the ones proven on rtpengine 10.5 userspace here (notes/rtpengine.md).
import { join } from 'node:path';
import { hostPort } from '../../platform/config/ip-literal.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';

/** rtpengine's syslog-style level for the POP's pino level. */
function rtpengineLogLevel(level: PopConfig['logging']['level']): number {
  switch (level) {
    case 'trace': case 'debug': return 7;
    // NOTICE, not INFO: at INFO rtpengine logs every ng command (~27 lines a call), and the
    // supervisor re-emitting them cost ~1 ms of CPU a call, twice rtpengine's own (bench/sbc).
    case 'info': return 5;
    case 'warn': return 4;
    case 'error': return 3;
    case 'fatal': case 'silent': return 2;
  }
}

/** Where rtpengine writes its PID (-p), inside the POP's state directory. */
export function rtpenginePidFile(pop: PopConfig): string {
  return join(pop.stateDir, 'rtpengine.pid');
}

/**
 * Where rtpengine writes a recorded call's clear pcap segments (--recording-dir) until
 * the recorder joins and encrypts them into rtpengine.recordingDir. Kept apart from the
 * recordings directory so nothing there is ever in clear (docs/media.md).
 */
export function recordingSpoolDir(pop: PopConfig): string {
  return join(pop.stateDir, 'recording-spool');
}

/** The URL of rtpengine's Prometheus figures (--listen-http). */
export function rtpengineMetricsUrl(pop: PopConfig): string {
  return `http://${hostPort(pop.rtpengine.ngAddress, pop.rtpengine.httpPort)}/metrics`;
}

export function rtpengineArgs(pop: PopConfig): string[] {
  const engine = pop.rtpengine;
  const logLevel = rtpengineLogLevel(pop.logging.level);
  const args = [
    // Never read /etc/rtpengine/rtpengine.conf: it sets a kernel table and other ports.
    '--config-file=none',
    '--foreground',
    '--log-stderr',
    // pino stamps each line when the supervisor logs it.
    '--no-log-timestamps',
    `--log-level=${logLevel}`,
    // Every /metrics scrape is an HTTP line at info; keep those to debug runs.
    `--log-level-http=${logLevel >= 7 ? logLevel : Math.min(5, logLevel)}`,
    // No kernel module here: userspace forwarding only.
    '--table=-1',
    ...engine.interfaces.map((iface) =>
      `--interface=${iface.name}/${iface.address}${iface.advertisedAddress !== undefined ? `!${iface.advertisedAddress}` : ''}`),
    `--listen-ng=${hostPort(engine.ngAddress, engine.ngPort)}`,
    ...(engine.cliPort !== undefined ? [`--listen-cli=${hostPort(engine.ngAddress, engine.cliPort)}`] : []),
    `--listen-http=${hostPort(engine.ngAddress, engine.httpPort)}`,
    `--port-min=${engine.portMin}`,
    `--port-max=${engine.portMax}`,
    `--num-threads=${engine.threads}`,
    // pcap is the only recording method that works without the kernel module.
    '--recording-method=pcap',
    `--recording-dir=${recordingSpoolDir(pop)}`,
    // A deleted call frees its ports and closes its recording at once, not 30 s later.
    '--delete-delay=0',
    // A call with no media for this long is deleted; the SBC's audit then ends it (media-timeout).
    `--timeout=${engine.mediaTimeoutSeconds}`,
    ...(engine.dtmfLogPort !== undefined ? [`--dtmf-log-dest=${hostPort(engine.ngAddress, engine.dtmfLogPort)}`] : []),
    `--pidfile=${rtpenginePidFile(pop)}`,
  ];
  return args;
}
