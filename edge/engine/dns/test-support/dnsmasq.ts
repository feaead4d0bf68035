// Starts a real dnsmasq on 127.0.0.1 as an authoritative-only server for a fake
// domain, so resolver tests hit a real DNS server over loopback. Test-only.

import { spawn, type ChildProcess } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../../test/support/free-port.js';

export interface DnsmasqRecords {
  /** The zone answered locally: names under it that have no record get NXDOMAIN. */
  domain: string;
  /** `name,order,preference,flags,service,regexp,replacement` (dnsmasq --naptr-record). */
  naptr?: string[];
  /** `_service._proto.name,target,port,priority,weight` (dnsmasq --srv-host). */
  srv?: string[];
  /** `name,address[,address],ttl` (dnsmasq --host-record). */
  hosts?: string[];
  /** A name with an A record, queried until the server answers (readiness). */
  probeName: string;
}

export interface RunningDnsmasq {
  port: number;
  server: string;
  stop(): Promise<void>;
}

export async function startDnsmasq(records: DnsmasqRecords): Promise<RunningDnsmasq> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'vpop-dnsmasq-'));
  const args = [
    '--no-daemon', '--no-resolv', '--no-hosts', '--bind-interfaces', '--listen-address=127.0.0.1',
    `--port=${port}`, '--conf-file=/dev/null', `--pid-file=${join(dir, 'pid')}`, '--user=root',
    `--local=/${records.domain}/`,
    ...(records.naptr ?? []).map((record) => `--naptr-record=${record}`),
    ...(records.srv ?? []).map((record) => `--srv-host=${record}`),
    ...(records.hosts ?? []).map((record) => `--host-record=${record}`),
  ];
  const child: ChildProcess = spawn('/usr/sbin/dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const probe = new dnsPromises.Resolver({ timeout: 200, tries: 1 });
  probe.setServers([`127.0.0.1:${port}`]);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (child.exitCode !== null) break;
    try {
      await probe.resolve4(records.probeName);
      return { port, server: `127.0.0.1:${port}`, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await stop();
  throw new Error(`dnsmasq did not start on port ${port}: ${stderr}`);
}
