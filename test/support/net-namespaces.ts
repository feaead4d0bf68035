// Network namespaces a test creates for itself (as root): a firewall under test is loaded
// only inside them, never in the host's own namespace. Every name carries the test
// process's PID so parallel runs and leftovers of a killed run never collide; delete()
// removes what create() made, and the veth ends go with their namespaces.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function inNamespace(namespace: string, command: string, args: readonly string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', namespace, command, ...args], {
    encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function spawnInNamespace(namespace: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', namespace, command, ...args], options);
}

/** A namespace name unique to this process: `<prefix>-<pid>-<tag>` (at most 15 chars for link names is not needed here). */
export function namespaceName(prefix: string, tag: string): string {
  return `${prefix}-${process.pid}-${tag}`;
}

export function createNamespace(name: string): void {
  ip('netns', 'add', name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
}

/** Deletes a namespace this test created; silent when it is already gone. */
export function deleteNamespace(name: string): void {
  try {
    ip('netns', 'del', name);
  } catch {
    // already gone
  }
}

export interface VethEnd {
  namespace: string;
  /** Interface name inside the namespace (at most 15 characters). */
  link: string;
  /** Addresses with prefix, e.g. 10.201.0.1/24; IPv6 ones get nodad so they are usable at once. */
  addresses: readonly string[];
}

/** A veth pair straight between two namespaces (no bridge, nothing in the host's namespace). */
export function connectNamespaces(a: VethEnd, b: VethEnd): void {
  ip('link', 'add', a.link, 'netns', a.namespace, 'type', 'veth', 'peer', 'name', b.link, 'netns', b.namespace);
  for (const end of [a, b]) {
    for (const address of end.addresses) {
      ip('-n', end.namespace, 'addr', 'add', address, 'dev', end.link, ...(address.includes(':') ? ['nodad'] : []));
    }
    ip('-n', end.namespace, 'link', 'set', end.link, 'up');
  }
}
