// The rendered ruleset: what it lets through (read from the script), that nft accepts it
// (`nft -c`, safe in any namespace), and what it does to real packets once loaded inside
// a pair of network namespaces this test creates (never the host's own).
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPopConfig } from '../config/load-pop-config.js';
import { FirewallConfigError, renderNftRuleset } from './nft-ruleset.js';
import { requireBuiltCli, runBuiltCli } from '../../test/support/built-cli.js';
import { repoRoot } from '../../test/support/repo-root.js';
import {
  connectNamespaces, createNamespace, deleteNamespace, inNamespace, namespaceName, spawnInNamespace,
} from '../../test/support/net-namespaces.js';
import { waitUntil } from '../../test/support/wait-until.js';

const popNs = namespaceName('vpopfw', 'pop');
const peerNs = namespaceName('vpopfw', 'peer');

// The POP at 10.201.0.1 / fd00:201::1; a trunk at .2 (UDP) and one at .3 (TLS only), a phone
// network fd00:201::/120 (phones.allow), a monitoring host .4, an admin .5; .9 is on no list.
const popYaml = `pop: { id: fwtest-a, region: lab }
sip:
  listeners:
    - { name: udp, transport: udp, address: 10.201.0.1, port: 5060 }
    - { name: tls, transport: tls, address: 10.201.0.1, port: 5061 }
    - { name: udp6, transport: udp, address: "fd00:201::1", port: 5060, role: phones }
tls: { certFile: pop.crt, keyFile: pop.key }
engine: { secret: s3cret }
trunks:
  - { name: plain-udp, allow: [10.201.0.2/32], transports: [udp], srtp: off, maxConcurrentCalls: 10, callsPerSecond: 5 }
  - { name: tls-only, allow: [10.201.0.3/32, "fd00:201::3/128"], transports: [tls], maxConcurrentCalls: 10, callsPerSecond: 5 }
phones: { allow: ["fd00:201::100/120"], realm: lab }
rtpengine:
  httpPort: 9101
  interfaces: [{ name: lab, address: 10.201.0.1 }]
  portMin: 30000
  portMax: 30099
routingCore:
  sipUri: "sips:10.201.0.6:5071"
  listener: { transport: tls, address: 10.201.0.1, port: 5062 }
  caFile: pop-ca.pem
  certificate: { subject: core.lab }
ops: { address: 10.201.0.1, port: 9090 }
firewall:
  ssh: { allow: [10.201.0.5/32] }
  monitoring: { allow: [10.201.0.4/32] }
stateDir: state
`;

let dir: string;
let popFile: string;
let ruleset: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  requireBuiltCli(['cli/commands/firewall.js']);
  dir = mkdtempSync(join(tmpdir(), 'vpop-fw-'));
  popFile = join(dir, 'fwtest-a.yaml');
  writeFileSync(popFile, popYaml);
  ruleset = renderNftRuleset(loadPopConfig(popFile, { checkFiles: false }));
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  deleteNamespace(popNs);
  deleteNamespace(peerNs);
  rmSync(dir, { recursive: true, force: true });
});

describe('renderNftRuleset', () => {
  it('opens each SIP port only to the trunks allowed that transport, a phones listener only to the phones, the core listener only to the core', () => {
    expect(ruleset).toContain('ip saddr @trunk_plain_udp_v4 udp dport 5060 accept');
    expect(ruleset).toContain('ip saddr @trunk_tls_only_v4 tcp dport 5061 accept');
    expect(ruleset).toContain('ip6 saddr @phones_v6 udp dport 5060 accept');
    expect(ruleset).not.toMatch(/trunk_plain_udp_v4 tcp/);
    expect(ruleset).not.toMatch(/trunk_tls_only_v4 udp/);
    // The IPv6 listener is UDP; the TLS-only trunk's v6 block has no UDP rule and its set is still declared.
    expect(ruleset).not.toMatch(/trunk_tls_only_v6 udp/);
    expect(ruleset).toContain('set trunk_tls_only_v6 {');
    // Carrier listeners never admit the phones or the core (issue 8); the core has its own listener.
    for (const line of ruleset.split('\n').filter((text) => text.includes('saddr @phones_'))) expect(line).toContain('udp6 (phones)');
    expect(ruleset).toContain('ip saddr @routing_core_v4 tcp dport 5062 accept');
    expect(ruleset.match(/@routing_core_v4/g)).toHaveLength(1);
    expect(ruleset).not.toMatch(/trunk_\w+ (udp|tcp) dport 5062/);
  });

  it('opens the ops port only to monitoring, SSH only to admins, the media range, and counts every drop', () => {
    expect(ruleset).toContain('ip saddr @monitoring_v4 tcp dport 9090 accept');
    expect(ruleset).toContain('ip saddr @admin_v4 tcp dport 22 accept');
    expect(ruleset).toContain('udp dport 30000-30099 accept');
    expect(ruleset).toContain('policy drop;');
    expect(ruleset.trimEnd().split('\n').at(-3)).toContain('counter name "other_dropped" drop');
    expect(ruleset).toMatch(/udp dport 5060 counter name "sip_dropped" drop/);
  });

  it('replaces only its own table, in one transaction', () => {
    expect(ruleset).toMatch(/^table inet vpop\ndelete table inet vpop\n\ntable inet vpop \{$/m);
    expect(ruleset.match(/^table /gm)).toHaveLength(2);
  });

  it('refuses a POP file without a firewall section rather than lock the host out', () => {
    const noFirewall = join(dir, 'nofw.yaml');
    writeFileSync(noFirewall, popYaml.replace(/firewall:\n.*\n.*\n/, ''));
    expect(() => renderNftRuleset(loadPopConfig(noFirewall, { checkFiles: false }))).toThrow(FirewallConfigError);
    const run = runBuiltCli(['firewall', 'render', '--pop', noFirewall], { cwd: dir, timeoutMs: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('firewall: section missing');
    expect(run.stdout).toBe('');
  });
});

describe('vpop firewall render', () => {
  it('with --ssh-from, refuses a ruleset that would lock that address out of SSH', () => {
    const pop = loadPopConfig(popFile, { checkFiles: false });
    expect(renderNftRuleset(pop, { sshFrom: '10.201.0.5' })).toContain('@admin_v4 tcp dport 22 accept');
    expect(() => renderNftRuleset(pop, { sshFrom: '10.201.0.6' })).toThrow(/does not include 10\.201\.0\.6.*lock the deployer out/);
    const run = runBuiltCli(['firewall', 'render', '--pop', popFile, '--ssh-from', 'fd00:201::5'], { cwd: dir, timeoutMs: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('firewall.ssh.allow: does not include fd00:201::5');
  });

  it('prints a ruleset nft accepts (nft -c) for every shipped POP file with a firewall section and the test POP', () => {
    for (const file of ['configs/pops/nyc1-a.yaml', 'configs/pops/nyc1-b.yaml', popFile]) {
      const run = runBuiltCli(['firewall', 'render', '--pop', file], { cwd: repoRoot, timeoutMs: 30_000 });
      expect(run.stderr, file).toBe('');
      expect(run.status, file).toBe(0);
      // Check mode parses and validates against the kernel without committing anything.
      execFileSync('nft', ['-c', '-f', '-'], { input: run.stdout, stdio: ['pipe', 'pipe', 'pipe'] });
    }
  });
});

describe('the loaded ruleset, between two namespaces', () => {
  beforeAll(() => {
    createNamespace(popNs);
    createNamespace(peerNs);
    connectNamespaces(
      { namespace: popNs, link: 'pop0', addresses: ['10.201.0.1/24', 'fd00:201::1/64'] },
      {
        namespace: peerNs, link: 'peer0',
        addresses: ['10.201.0.2/24', '10.201.0.3/24', '10.201.0.4/24', '10.201.0.9/24', 'fd00:201::101/64', 'fd00:201::9/64'],
      },
    );
    inNamespace(popNs, 'nft', ['-f', '-'], ruleset);
    // Loading twice is how a re-render reloads: the second load replaces the first.
    inNamespace(popNs, 'nft', ['-f', '-'], ruleset);
    const echo = `const d=require('node:dgram');for(const [t,a] of [['udp4','10.201.0.1'],['udp6','fd00:201::1']]){const s=d.createSocket(t);s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(5060,a)}
require('node:net').createServer((c)=>c.end('ops\\n')).listen(9090,'10.201.0.1',()=>console.log('ready'))`;
    const server = spawnInNamespace(popNs, process.execPath, ['-e', echo], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(server);
    return new Promise<void>((resolve) => server.stdout?.once('data', () => resolve()));
  });

  function counter(name: string): number {
    const json = JSON.parse(inNamespace(popNs, 'nft', ['-j', 'list', 'counter', 'inet', 'vpop', name])) as {
      nftables: Array<{ counter?: { packets: number } }>;
    };
    return json.nftables.find((entry) => entry.counter)?.counter?.packets ?? -1;
  }

  /** A UDP client in the peer namespace that sends from `source` every 100 ms (at most 100 times) until answered. */
  function udpClient(source: string, target: string): { child: ChildProcess; answered: Promise<boolean> } {
    const script = `const s=require('node:dgram').createSocket('${source.includes(':') ? 'udp6' : 'udp4'}');let n=0;
s.on('message',(m)=>{console.log(String(m));process.exit(0)});
s.bind(0,'${source}',()=>{const t=setInterval(()=>{if(++n>100){clearInterval(t);process.exit(3)}s.send('OPTIONS',5060,'${target}')},100)})`;
    const child = spawnInNamespace(peerNs, process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const answered = new Promise<boolean>((resolve) => child.once('exit', (code) => resolve(code === 0)));
    return { child, answered };
  }

  it('answers a listed trunk and a listed phone over IPv4 and IPv6', async () => {
    expect(await udpClient('10.201.0.2', '10.201.0.1').answered).toBe(true);
    expect(await udpClient('fd00:201::101', 'fd00:201::1').answered).toBe(true);
  });

  it('drops and counts SIP from a source on no list, and from a trunk on a transport it may not use', async () => {
    for (const source of ['10.201.0.9', '10.201.0.3', 'fd00:201::9']) {
      const before = counter('sip_dropped');
      const client = udpClient(source, source.includes(':') ? 'fd00:201::1' : '10.201.0.1');
      await waitUntil(() => counter('sip_dropped') > before, `sip_dropped to count packets from ${source}`);
      client.child.kill('SIGKILL');
      expect(await client.answered).toBe(false);
    }
  });

  it('lets only the monitoring host reach the ops port', async () => {
    const fetchOps = (source: string) => spawnInNamespace(peerNs, process.execPath, ['-e',
      `const c=require('node:net').connect({host:'10.201.0.1',port:9090,localAddress:'${source}'});c.on('data',(d)=>{process.stdout.write(d);process.exit(0)});c.on('error',()=>process.exit(2))`],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    const allowed = fetchOps('10.201.0.4');
    children.push(allowed);
    expect(await new Promise((resolve) => allowed.once('exit', resolve))).toBe(0);

    const before = counter('ops_dropped');
    const denied = fetchOps('10.201.0.9');
    children.push(denied);
    await waitUntil(() => counter('ops_dropped') > before, 'ops_dropped to count a SYN from 10.201.0.9');
    denied.kill('SIGKILL');
  });
});
