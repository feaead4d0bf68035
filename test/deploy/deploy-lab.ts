// A lab of booted Debian hosts for the deploy test (shared/notes/ansible.md): a bridge
// with a private subnet, one network namespace per POP host (systemd-nspawn --boot, real
// SSH, systemd as PID 1) and per test peer, and apt-cacher-ng on the bridge so the hosts
// install packages with no route out. Everything carries this process's PID in its name
// and is removed by stop(): processes by PID, namespaces, links, mounts, files.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { exitOf } from '../support/child-exit.js';
import { createNamespace, deleteNamespace, ip } from '../support/net-namespaces.js';
import { waitUntil } from '../support/wait-until.js';

export const labSubnet = '10.200.0';
export const bridgeAddress = `${labSubnet}.1`;
const cacherPort = 3142;

export interface LabHost {
  name: string;
  address: string;
  namespace: string;
  root: string;
  nspawn?: ChildProcess;
}

export interface LabPeer {
  name: string;
  address: string;
  namespace: string;
}

function run(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): string {
  return execFileSync(command, args, { encoding: 'utf8', input: options.input, timeout: options.timeoutMs ?? 120_000, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A fixed MAC per address, so a re-created namespace never meets a stale ARP entry. */
function macOf(address: string): string {
  const [, , c, d] = address.split('.').map(Number);
  return `02:56:50:00:${(c ?? 0).toString(16).padStart(2, '0')}:${(d ?? 0).toString(16).padStart(2, '0')}`;
}

function mirrorUri(): string {
  try {
    const sources = readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8');
    return /^URIs:\s*(\S+)/m.exec(sources)?.[1] ?? 'http://deb.debian.org/debian';
  } catch {
    return 'http://deb.debian.org/debian';
  }
}

async function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 1000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

export class DeployLab {
  readonly dir: string;
  readonly bridge = `vpbr${process.pid}`.slice(0, 15);
  readonly sshKey: string;
  readonly hosts: LabHost[] = [];
  readonly peers: LabPeer[] = [];
  private cacher?: ChildProcess;
  private readonly links: string[] = [];
  private readonly mounts: string[] = [];
  readonly log: string;

  constructor(readonly cacheDir: string) {
    mkdirSync(cacheDir, { recursive: true });
    this.dir = mkdtempSync('/tmp/vpop-deploy-');
    this.log = join(this.dir, 'lab.log');
    this.sshKey = join(this.dir, 'id_ed25519');
  }

  private note(line: string): void {
    appendFileSync(this.log, `${new Date().toISOString()} ${line}\n`);
  }

  /** The packed Debian root (built once, cached in cacheDir). */
  image(): string {
    return run('bash', [join(import.meta.dirname, 'build-image.sh'), this.cacheDir], { timeoutMs: 900_000 }).trim();
  }

  async startNetwork(): Promise<void> {
    const used = run('ip', ['-4', '-o', 'addr', 'show']);
    if (used.includes(` ${labSubnet}.`)) throw new Error(`${labSubnet}.0/24 is already in use on this machine: ${used.split('\n').filter((l) => l.includes(labSubnet)).join('; ')}`);
    ip('link', 'add', this.bridge, 'type', 'bridge');
    this.links.push(this.bridge);
    ip('addr', 'add', `${bridgeAddress}/24`, 'dev', this.bridge);
    ip('link', 'set', this.bridge, 'up');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', this.sshKey]);
    await this.startCacher();
  }

  /** apt-cacher-ng on the bridge address, its cache kept in cacheDir between runs. */
  private async startCacher(): Promise<void> {
    const conf = join(this.dir, 'acng');
    const cache = join(this.cacheDir, 'apt-cacher-ng');
    mkdirSync(conf, { recursive: true });
    mkdirSync(cache, { recursive: true });
    mkdirSync(join(this.dir, 'acng-log'), { recursive: true });
    const mirror = mirrorUri();
    const security = mirror.replace(/\/debian\/?$/, '/debian-security');
    writeFileSync(join(conf, 'acng.conf'), [
      `CacheDir: ${cache}`,
      `LogDir: ${join(this.dir, 'acng-log')}`,
      `Port: ${cacherPort}`,
      `BindAddress: ${bridgeAddress}`,
      'ForeGround: 1',
      `Remap-debrep: file:deb_mirror*.gz /debian ; ${mirror}`,
      `Remap-secdeb: security.debian.org /debian-security deb.debian.org/debian-security ; ${security}`,
      'ExThreshold: 30',
      `PidFile: ${join(this.dir, 'acng.pid')}`,
      `SocketPath: ${join(this.dir, 'acng.socket')}`,
      '',
    ].join('\n'));
    this.cacher = spawn('/usr/sbin/apt-cacher-ng', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.cacher.stderr?.on('data', (chunk: Buffer) => this.note(`apt-cacher-ng: ${chunk.toString().trim()}`));
    await waitUntil(() => tcpOpen(bridgeAddress, cacherPort), `apt-cacher-ng on ${bridgeAddress}:${cacherPort}`, { timeoutMs: 30_000, intervalMs: 200 });
  }

  /** A namespace on the bridge at `address` (a test peer, or a POP host before it boots). */
  private attach(namespace: string, address: string, tag: string): void {
    createNamespace(namespace);
    const hostLink = `vp${process.pid}${tag}`.slice(0, 15);
    ip('link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace);
    this.links.push(hostLink);
    ip('link', 'set', hostLink, 'master', this.bridge);
    ip('link', 'set', hostLink, 'up');
    ip('-n', namespace, 'link', 'set', 'eth0', 'address', macOf(address));
    ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', namespace, 'link', 'set', 'eth0', 'up');
  }

  addPeer(name: string, address: string): LabPeer {
    const peer = { name, address, namespace: `vpop-${process.pid}-${name}` };
    this.attach(peer.namespace, address, name.slice(0, 4));
    this.peers.push(peer);
    return peer;
  }

  /** Unpacks the image into a fresh tmpfs and boots it with systemd in its own namespace. */
  async bootHost(name: string, address: string, image: string): Promise<LabHost> {
    const host: LabHost = { name, address, namespace: `vpop-${process.pid}-${name}`, root: join(this.dir, 'roots', name) };
    this.attach(host.namespace, address, name.slice(-1) + 'h');
    mkdirSync(host.root, { recursive: true });
    run('mount', ['-t', 'tmpfs', '-o', 'size=2g,mode=755', 'tmpfs', host.root]);
    this.mounts.push(host.root);
    run('tar', ['--numeric-owner', '-I', 'zstd', '-xf', image, '-C', host.root], { timeoutMs: 120_000 });
    // An image packed from a 0700 directory would make "/" unreadable for every user but root.
    run('chmod', ['755', host.root]);
    mkdirSync(join(host.root, 'root/.ssh'), { recursive: true, mode: 0o700 });
    writeFileSync(join(host.root, 'root/.ssh/authorized_keys'), readFileSync(`${this.sshKey}.pub`), { mode: 0o600 });
    writeFileSync(join(host.root, 'etc/hostname'), `${name}\n`);
    writeFileSync(join(host.root, 'etc/hosts'), `127.0.0.1 localhost\n127.0.1.1 ${name}\n`);
    writeFileSync(join(host.root, 'etc/machine-id'), '');
    writeFileSync(join(host.root, 'etc/apt/apt.conf.d/01proxy'), `Acquire::http::Proxy "http://${bridgeAddress}:${cacherPort}";\n`);
    const nspawn = spawn('systemd-nspawn', [
      '-D', host.root, '--boot', '--register=no', '--keep-unit', '-M', name,
      `--network-namespace-path=/run/netns/${host.namespace}`, '--capability=CAP_NET_ADMIN', '--console=pipe',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const console = join(this.dir, `${name}.console.log`);
    nspawn.stdout?.on('data', (chunk: Buffer) => appendFileSync(console, chunk));
    nspawn.stderr?.on('data', (chunk: Buffer) => appendFileSync(console, chunk));
    host.nspawn = nspawn;
    this.hosts.push(host);
    await waitUntil(async () => {
      if (nspawn.exitCode !== null) throw new Error(`systemd-nspawn for ${name} exited ${nspawn.exitCode}; see ${console}`);
      return tcpOpen(address, 22);
    }, `SSH on ${name} (${address})`, { timeoutMs: 120_000, intervalMs: 250 });
    return host;
  }

  /** Runs a command on a host over SSH as root. */
  ssh(host: LabHost, command: string, timeoutMs = 60_000): string {
    return run('ssh', [...this.sshOptions(), `root@${host.address}`, command], { timeoutMs });
  }

  sshOptions(): string[] {
    return ['-i', this.sshKey, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes'];
  }

  /** Runs a command in a namespace of the lab (a peer, or a host's network namespace). */
  inNamespace(namespace: string, command: string, args: readonly string[], timeoutMs = 60_000): string {
    return run('ip', ['netns', 'exec', namespace, command, ...args], { timeoutMs });
  }

  async stop(): Promise<void> {
    for (const host of this.hosts) {
      const nspawn = host.nspawn;
      if (nspawn && nspawn.exitCode === null && nspawn.signalCode === null) {
        nspawn.kill('SIGTERM');
        const stopped = await Promise.race([exitOf(nspawn).then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000))]);
        if (!stopped) {
          nspawn.kill('SIGKILL');
          await exitOf(nspawn);
        }
      }
    }
    if (this.cacher && this.cacher.exitCode === null) {
      this.cacher.kill('SIGTERM');
      await exitOf(this.cacher);
    }
    for (const mount of this.mounts.reverse()) {
      try {
        run('umount', ['-l', mount]);
      } catch (error) {
        this.note(`umount ${mount}: ${String(error)}`);
      }
    }
    for (const namespace of [...this.hosts, ...this.peers].map((item) => item.namespace)) deleteNamespace(namespace);
    for (const link of this.links.reverse()) {
      try {
        ip('link', 'del', link);
      } catch {
        // a veth end went with its namespace
      }
    }
  }

  /** Removes the lab's directory (keys, logs); call after stop() when the run passed. */
  removeFiles(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
