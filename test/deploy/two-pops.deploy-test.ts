// Issue 13's deploy test: two booted Debian hosts (systemd-nspawn --boot in network
// namespaces), the POP pair nyc1-a / nyc1-b deployed by ansible/site.yml over SSH from
// a release tarball, a second run that changes nothing, a SIP call from the listed
// carrier through each POP, SIP from an unlisted peer dropped and counted by the host
// firewall, and an upgrade to a new build. Run: npm run test:deploy (as root).
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/repo-root.js';
import { exitOf } from '../support/child-exit.js';
import { carrierCallScenario, dialledNumber } from '../support/sipp-carrier-call.js';
import { bridgeAddress, DeployLab, labSubnet, type LabHost, type LabPeer } from './deploy-lab.js';

const cacheDir = process.env.VPOP_CI_CACHE ?? '/var/cache/vpop-ci';
const pops = [
  { id: 'nyc1-a', address: `${labSubnet}.11`, role: 'primary', peer: 'nyc1-b', peerAddress: `${labSubnet}.12` },
  { id: 'nyc1-b', address: `${labSubnet}.12`, role: 'secondary', peer: 'nyc1-a', peerAddress: `${labSubnet}.11` },
] as const;
const carrierAddress = `${labSubnet}.20`;
const strangerAddress = `${labSubnet}.30`;

/** The lab's nyc1 pair: the plain UDP carrier trunk of local.yaml at .20, TLS with a certificate from the POP CA, firewall for the lab. */
function popYaml(pop: (typeof pops)[number]): string {
  return `# yaml-language-server: $schema=./pop.schema.json
pop: { id: ${pop.id}, region: us-east, description: deploy test (${pop.role}) }
sip:
  listeners:
    - { name: carrier-udp, transport: udp, address: ${pop.address}, port: 5060 }
    - { name: carrier-tls, transport: tls, address: ${pop.address}, port: 5061 }
tls:
  certFile: /etc/vpop/tls/${pop.id}.crt
  keyFile: /etc/vpop/tls/${pop.id}.key
  chainFile: /etc/vpop/tls/chain.pem
engine:
  controlAddress: 127.0.0.1
  controlPort: 9022
  secretFile: /etc/vpop/secrets/engine-secret
  metricsPort: 9023
sbc: { metricsPort: 9024 }
trunks:
  - name: carrier-plain
    allow: [${carrierAddress}/32]
    transports: [udp]
    srtp: off
    codecs: [PCMU, PCMA, telephone-event]
    maxConcurrentCalls: 20
    callsPerSecond: 10
rtpengine:
  ngAddress: 127.0.0.1
  ngPort: 22222
  httpPort: 9101
  interfaces:
    - { name: lab, address: ${pop.address} }
  portMin: 30000
  portMax: 30199
  threads: 1
routingCore: { sipUri: "sip:127.0.0.1:5070", listener: { name: core, transport: udp, address: 127.0.0.1, port: 5062 } }
ops: { address: ${pop.address}, port: 9090, allow: [${bridgeAddress}/32, ${pop.address}/32] }
redundancy:
  peer: { popId: ${pop.peer}, address: ${pop.peerAddress} }
  role: ${pop.role}
firewall:
  ssh: { allow: [${bridgeAddress}/32] }
  monitoring: { allow: [${bridgeAddress}/32] }
logging: { level: info }
stateDir: /var/lib/vpop
`;
}


interface PlayRecap {
  [host: string]: { ok: number; changed: number; unreachable: number; failed: number };
}

function parseRecap(output: string): PlayRecap {
  const recap: PlayRecap = {};
  const section = output.slice(output.lastIndexOf('PLAY RECAP'));
  for (const match of section.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
    recap[match[1] as string] = { ok: Number(match[2]), changed: Number(match[3]), unreachable: Number(match[4]), failed: Number(match[5]) };
  }
  return recap;
}

let lab: DeployLab;
let hosts: LabHost[] = [];
let carrier: LabPeer;
let stranger: LabPeer;
let inventory: string;
let passed = true;
const figures: string[] = [];

function buildRelease(buildId: string): string {
  const output = execFileSync('bash', [join(repoRoot, 'scripts/release.sh'), join(lab.dir, 'release')], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, VPOP_BUILD_ID: buildId }, timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return output.trim().split('\n').at(-1) as string;
}

/** ansible-playbook site.yml against the lab, its output kept in the lab directory. */
async function deploy(release: string, label: string, extraArgs: string[] = []): Promise<{ code: number | null; output: string; recap: PlayRecap; seconds: number }> {
  const started = Date.now();
  const child = spawn('ansible-playbook', [...extraArgs, '-i', inventory, join(repoRoot, 'ansible/site.yml'),
    '-e', `vpop_release_tarball=${release}`, '-e', `vpop_ca_dir=${join(lab.dir, 'pki/ca')}`, '-e', `vpop_certs_dir=${join(lab.dir, 'pki/pops')}`], {
    cwd: join(repoRoot, 'ansible'),
    env: {
      ...process.env, ANSIBLE_CONFIG: join(repoRoot, 'ansible/ansible.cfg'), ANSIBLE_HOST_KEY_CHECKING: 'False', NO_COLOR: '1', ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0', ANSIBLE_CALLBACKS_ENABLED: 'ansible.posix.profile_tasks',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const log = join(lab.dir, `ansible-${label}.log`);
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    appendFileSync(log, chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const { code } = await exitOf(child);
  const seconds = (Date.now() - started) / 1000;
  figures.push(`${label}: ${seconds.toFixed(0)} s`);
  return { code, output, recap: parseRecap(output), seconds };
}

/** One SIPp call from the carrier namespace to a POP; resolves with SIPp's exit status. */
async function callThrough(host: LabHost, holdMs = 500): Promise<number | null> {
  const timeoutSeconds = Math.ceil(holdMs / 1000) + 30;
  const scenario = join(lab.dir, 'call.xml');
  writeFileSync(scenario, carrierCallScenario);
  const errors = join(lab.dir, `sipp-${host.name}-${Date.now()}.errors.log`);
  const sipp = spawn('ip', ['netns', 'exec', carrier.namespace, 'sipp', '-sf', scenario, `${host.address}:5060`,
    '-i', carrierAddress, '-p', '5060', '-t', 'u1', '-m', '1', '-s', dialledNumber, '-d', String(holdMs),
    '-timeout', `${timeoutSeconds}s`, '-timeout_error', '-nostdin', '-trace_err', '-error_file', errors], { stdio: ['ignore', 'ignore', 'ignore'] });
  return (await exitOf(sipp)).code;
}

function dropCounter(host: LabHost): number {
  const json = JSON.parse(lab.inNamespace(host.namespace, 'nft', ['-j', 'list', 'counter', 'inet', 'vpop', 'sip_dropped'])) as {
    nftables: Array<{ counter?: { packets: number } }>;
  };
  return json.nftables.find((entry) => entry.counter)?.counter?.packets ?? -1;
}

describe.sequential('Ansible deploy of the nyc1 pair to two booted Debian hosts', () => {
  beforeAll(async () => {
    lab = new DeployLab(cacheDir);
    const image = lab.image();
    await lab.startNetwork();
    carrier = lab.addPeer('carrier', carrierAddress);
    stranger = lab.addPeer('stranger', strangerAddress);
    hosts = [];
    for (const pop of pops) hosts.push(await lab.bootHost(pop.id, pop.address, image));
    for (const pop of pops) writeFileSync(join(lab.dir, `${pop.id}.yaml`), popYaml(pop));
    inventory = join(lab.dir, 'inventory.yml');
    writeFileSync(inventory, `all:
  children:
    vpop_pops:
      hosts:
${pops.map((pop) => `        ${pop.id}: { ansible_host: ${pop.address}, vpop_pop_file: ${join(lab.dir, `${pop.id}.yaml`)} }`).join('\n')}
      vars:
        ansible_user: root
        ansible_ssh_private_key_file: ${lab.sshKey}
        ansible_ssh_common_args: "${lab.sshOptions().slice(2).join(' ')}"
`);
  }, 1_200_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail') passed = false;
  });

  afterAll(async () => {
    process.stdout.write(`deploy test figures (lab files in ${lab?.dir}):\n  ${figures.join('\n  ')}\n`);
    if (!passed) {
      // What an operator would look at first, kept beside the Ansible logs.
      for (const host of hosts) {
        try {
          writeFileSync(join(lab.dir, `${host.name}.diagnostics.log`), lab.ssh(host,
            'systemctl --no-pager status vpop vpop-firewall; tail -n 80 /var/log/vpop/vpop.log; journalctl --no-pager -n 80 -u vpop', 60_000));
        } catch (error) {
          writeFileSync(join(lab.dir, `${host.name}.diagnostics.log`), String(error));
        }
      }
    }
    await lab?.stop();
    if (passed) lab?.removeFiles();
  }, 120_000);

  let firstRelease: string;

  it('first deploy installs and starts both POPs', async () => {
    firstRelease = buildRelease(`deploytest-${process.pid}-1`);
    const run = await deploy(firstRelease, 'first-deploy');
    passed &&= run.code === 0;
    expect(run.code, run.output.slice(-4000)).toBe(0);
    for (const pop of pops) expect(run.recap[pop.id]?.failed, pop.id).toBe(0);
    for (const host of hosts) {
      expect(lab.ssh(host, 'systemctl is-active vpop.service vpop-firewall.service').trim().split('\n')).toEqual(['active', 'active']);
      // The unit's hardening as systemd applied it, and the POP runs as the vpop user.
      expect(lab.ssh(host, 'ps -o user= -C rtpengine; ps -o user= -p $(systemctl show -p MainPID --value vpop.service)').trim().split('\n')).toEqual(['vpop', 'vpop']);
      const unit = lab.ssh(host, 'systemctl show -p NoNewPrivileges -p ProtectSystem -p CapabilityBoundingSet vpop.service').split('\n');
      expect(unit, host.name).toEqual(expect.arrayContaining(['NoNewPrivileges=yes', 'ProtectSystem=strict', 'CapabilityBoundingSet=']));
    }
  }, 1_500_000);

  it('a second run changes nothing', async () => {
    const run = await deploy(firstRelease, 'second-run');
    passed &&= run.code === 0;
    expect(run.code, run.output.slice(-4000)).toBe(0);
    for (const pop of pops) expect(run.recap[pop.id], pop.id).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });
  }, 900_000);

  it('each POP answers a call from the carrier its trunk lists', async () => {
    for (const host of hosts) expect(await callThrough(host), host.name).toBe(0);
  }, 120_000);

  it('the host firewall drops and counts SIP from a peer on no list', () => {
    for (const host of hosts) {
      const before = dropCounter(host);
      // 20 OPTIONS 100 ms apart; exit 0 on any answer, 3 when none came.
      const script = `const s=require('node:dgram').createSocket('udp4');let n=0;s.on('message',()=>process.exit(0));
s.bind(0,'${strangerAddress}',()=>{const t=setInterval(()=>{if(++n>20){clearInterval(t);process.exit(3)}s.send('OPTIONS sip:${host.address} SIP/2.0\\r\\n\\r\\n',5060,'${host.address}')},100)})`;
      let status = 0;
      try {
        lab.inNamespace(stranger.namespace, process.execPath, ['-e', script]);
      } catch (error) {
        status = (error as { status: number }).status;
      }
      expect(status, `${host.name} answered a peer on no list`).toBe(3);
      expect(dropCounter(host) - before, host.name).toBeGreaterThanOrEqual(20);
    }
  }, 120_000);

  it('upgrades both POPs to a new build, one at a time, draining each: a call in progress is not cut', async () => {
    const nextRelease = buildRelease(`deploytest-${process.pid}-2`);
    // A call on nyc1-a longer than the play takes to reach nyc1-a's restart: the drain waits for it.
    const callStarted = Date.now();
    const longCall = callThrough(hosts[0] as LabHost, 75_000);
    const run = await deploy(nextRelease, 'upgrade', ['-v']);
    passed &&= run.code === 0;
    expect(run.code, run.output.slice(-4000)).toBe(0);
    expect(await longCall, 'the call in progress during the upgrade of nyc1-a').toBe(0);
    figures.push(`call held through the upgrade: ${((Date.now() - callStarted) / 1000).toFixed(0)} s, answered and ended by its own BYE`);
    const drains = [...run.output.matchAll(/vpop drain: (nyc1-[ab])[^\n"]*/g)].map((match) => match[0]);
    figures.push(...drains);
    expect(drains.find((line) => line.startsWith('vpop drain: nyc1-a')), 'nyc1-a drain output').toMatch(/drained: no call in progress after [\d.]+ s/);
    for (const line of run.output.split('\n').filter((text) => /Wait until the POP is ready|Restart the POP|Drain the POP/.test(text) && /\d+\.\d+s/.test(text))) figures.push(`upgrade ${line.trim()}`);
    const expectedBuild = JSON.parse(execFileSync('tar', ['-xzOf', nextRelease, '--wildcards', '*/release.json'], { encoding: 'utf8' })) as { build: string };
    for (const host of hosts) {
      const current = JSON.parse(lab.ssh(host, 'cat /opt/vpop/current/release.json')) as { build: string };
      expect(current.build, host.name).toBe(expectedBuild.build);
      // From the bridge address: the monitoring network of the lab's POP files.
      const health = await fetch(`http://${host.address}:9090/healthz`).then((response) => response.json()) as { status: string };
      expect(health.status, host.name).toBe('ok');
      expect(await callThrough(host), host.name).toBe(0);
    }
  }, 1_500_000);
});
