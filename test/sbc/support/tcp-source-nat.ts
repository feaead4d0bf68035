// baresip 1.0 does not bind its outgoing TCP/TLS connections to its configured address,
// so a "carrier on 127.0.0.2" connects from 127.0.0.1. To present the carrier's address
// to the engine, connections to the edge's (unique, per-test) TLS port are source-NATed
// to 127.0.0.2 on loopback for the duration of one test, then the rule is removed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SourceNat {
  remove(): Promise<void>;
}

export async function sourceNatToPort(port: number, fromAddress: string): Promise<SourceNat> {
  const rule = ['POSTROUTING', '-o', 'lo', '-p', 'tcp', '-s', '127.0.0.1', '-d', '127.0.0.1', '--dport', String(port),
    '-m', 'comment', '--comment', `vpop-test-${process.pid}`, '-j', 'SNAT', '--to-source', fromAddress];
  await run('iptables', ['-t', 'nat', '-A', ...rule]);
  let removed = false;
  return {
    remove: async () => {
      if (removed) return;
      removed = true;
      await run('iptables', ['-t', 'nat', '-D', ...rule]);
    },
  };
}
