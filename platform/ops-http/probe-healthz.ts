// The container HEALTHCHECK: asks the POP's own /healthz, at the ops address and port
// its POP file gives, so the image needs no port baked in.
//   node dist/platform/ops-http/probe-healthz.js /etc/vpop/pop.yaml   (exit 0 healthy, 1 not)
import { pathToFileURL } from 'node:url';
import { hostPort } from '../config/ip-literal.js';
import { loadPopConfig } from '../config/load-pop-config.js';
import type { PopConfig } from '../config/pop-schema.js';

/** The /healthz URL of a POP; a wildcard ops address is probed on loopback. */
export function healthzUrl(ops: Pick<PopConfig['ops'], 'address' | 'port'>): string {
  const host = ops.address === '0.0.0.0' ? '127.0.0.1' : ops.address === '::' ? '::1' : ops.address;
  return `http://${hostPort(host, ops.port)}/healthz`;
}

/** True when the POP answers /healthz with 200 within timeoutMs. */
export async function probeHealthz(ops: Pick<PopConfig['ops'], 'address' | 'port'>, timeoutMs = 3000): Promise<boolean> {
  try {
    const response = await fetch(healthzUrl(ops), { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function main(popFile: string | undefined): Promise<number> {
  if (popFile === undefined) {
    process.stderr.write('usage: probe-healthz POP_FILE\n');
    return 2;
  }
  const pop = loadPopConfig(popFile, { checkFiles: false });
  const healthy = await probeHealthz(pop.ops);
  process.stdout.write(`${healthzUrl(pop.ops)} ${healthy ? 'healthy' : 'NOT healthy'}\n`);
  return healthy ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2]).then((code) => process.exit(code), (error: unknown) => {
    process.stderr.write(`probe-healthz: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
}
