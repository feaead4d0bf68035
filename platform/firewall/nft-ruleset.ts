// The host firewall of a POP, written as one nftables script from the same POP file the
// engine enforces: SIP ports only from the trunks that may use that transport, the
// registrar's phones and the routing core; the rtpengine media range open; the ops port
// only from monitoring; SSH only from administrators; everything else dropped and counted.
//
// The script replaces the table `inet vpop` in one transaction (`nft -f`), so a reload
// never leaves the host without rules, and established connections (an admin's SSH
// session) survive it. It touches no other table.
import { parseSipUri } from '../../edge/engine/messages/headers/sip-uri.js';
import { cidrBlocksOverlap, ipLiteralFamily, isLoopbackAddress, isUnspecifiedAddress, parseCidr, type IpFamily } from '../config/ip-literal.js';
import type { PopConfig, SipListenerConfig } from '../config/pop-schema.js';

const nftTableName = 'vpop';

/** Named counters the ruleset keeps; `nft list counter inet vpop <name>` reads one. */
const nftDropCounters = ['sip_dropped', 'ops_dropped', 'ssh_dropped', 'invalid_dropped', 'other_dropped'] as const;

/** Thrown when the POP file lacks what a safe ruleset needs (who may reach SSH and the ops port). */
export class FirewallConfigError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'FirewallConfigError';
  }
}

type L4 = 'tcp' | 'udp';

/** A named address set of one family, e.g. trunk_carrier_a_v4. */
interface SourceSet {
  name: string;
  family: IpFamily;
  blocks: string[];
  comment: string;
}

interface Source {
  /** Base name of the sets, one per family. */
  base: string;
  comment: string;
  blocks: readonly string[];
}

export interface RenderOptions {
  /** Shown in the header comment: where the ruleset came from. */
  sourceFile?: string;
  /**
   * The address the deployer connects from: rendering fails unless firewall.ssh.allow
   * covers it, so installing the ruleset cannot lock the deployer out.
   */
  sshFrom?: string;
}

/** The nftables script for this POP. Throws FirewallConfigError when the firewall section is missing. */
export function renderNftRuleset(pop: PopConfig, options: RenderOptions = {}): string {
  const firewall = pop.firewall;
  if (!firewall) {
    throw new FirewallConfigError('firewall', 'section missing: name the admin networks (firewall.ssh.allow) and the monitoring networks (firewall.monitoring.allow), or the host would be locked out or unwatched');
  }

  if (options.sshFrom !== undefined) {
    const family = ipLiteralFamily(options.sshFrom);
    const from = family && parseCidr(`${options.sshFrom}/${family === 'ipv4' ? 32 : 128}`);
    if (!from || typeof from === 'string') throw new FirewallConfigError('firewall.ssh.allow', `--ssh-from ${options.sshFrom} is not an IP address`);
    const covered = firewall.ssh.allow.some((block) => {
      const parsed = parseCidr(block);
      return typeof parsed !== 'string' && cidrBlocksOverlap(parsed, from);
    });
    if (!covered) {
      throw new FirewallConfigError('firewall.ssh.allow', `does not include ${options.sshFrom}, the address SSH comes from: loading this ruleset would lock the deployer out`);
    }
  }

  const sets: SourceSet[] = [];
  const addSets = (source: Source): Record<IpFamily, SourceSet | undefined> => {
    const bySet: Record<IpFamily, SourceSet | undefined> = { ipv4: undefined, ipv6: undefined };
    for (const family of ['ipv4', 'ipv6'] as const) {
      const blocks = source.blocks.filter((block) => blockFamily(block) === family);
      if (blocks.length === 0) continue;
      const set: SourceSet = { name: `${source.base}_${family === 'ipv4' ? 'v4' : 'v6'}`, family, blocks, comment: source.comment };
      sets.push(set);
      bySet[family] = set;
    }
    return bySet;
  };

  const admin = addSets({ base: 'admin', comment: 'firewall.ssh.allow', blocks: firewall.ssh.allow });
  const monitoring = addSets({ base: 'monitoring', comment: 'firewall.monitoring.allow', blocks: firewall.monitoring.allow });
  const trunkSets = pop.trunks.map((trunk) => ({
    transports: trunk.transports,
    sets: addSets({ base: `trunk_${setName(trunk.name)}`, comment: `trunks[${trunk.name}].allow`, blocks: trunk.allow }),
  }));
  const phones = pop.phones ? addSets({ base: 'phones', comment: 'phones.allow', blocks: pop.phones.allow }) : undefined;
  const coreBlocks = routingCoreBlocks(pop);
  const core = coreBlocks.length > 0
    ? addSets({ base: 'routing_core', comment: pop.routingCore.allow ? 'routingCore.allow' : 'routingCore.sipUri', blocks: coreBlocks })
    : undefined;

  const rules: string[] = [];
  const sipPorts: Record<L4, Set<number>> = { tcp: new Set(), udp: new Set() };
  const seen = new Set<string>();
  const accept = (set: SourceSet | undefined, l4: L4, port: string, comment: string): void => {
    if (!set) return;
    const rule = `${set.family === 'ipv4' ? 'ip' : 'ip6'} saddr @${set.name} ${l4} dport ${port} accept comment "${comment}"`;
    if (seen.has(rule)) return;
    seen.add(rule);
    rules.push(rule);
  };

  // As the engine admits them (edge/engine/engine-options.ts): a carrier listener its trunks,
  // a phones listener the phones, the internal listener the routing core, and nothing else.
  for (const listener of pop.sip.listeners) {
    const l4: L4 = listener.transport === 'udp' ? 'udp' : 'tcp';
    sipPorts[l4].add(listener.port);
    for (const family of listenerFamilies(listener)) {
      const label = `SIP ${listener.transport} ${listener.name}`;
      if (listener.role === 'phones') {
        if (phones) accept(phones[family], l4, String(listener.port), `${label} (phones)`);
        continue;
      }
      for (const trunk of trunkSets) {
        if (trunk.transports.includes(listener.transport)) accept(trunk.sets[family], l4, String(listener.port), label);
      }
    }
  }
  const coreListener = pop.routingCore.listener;
  const coreL4: L4 = coreListener.transport === 'udp' ? 'udp' : 'tcp';
  sipPorts[coreL4].add(coreListener.port);
  for (const family of listenerFamilies(coreListener)) {
    if (core) accept(core[family], coreL4, String(coreListener.port), `SIP ${coreListener.transport} ${coreListener.name} (routing core)`);
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    accept(monitoring[family], 'tcp', String(pop.ops.port), 'ops endpoint');
    accept(admin[family], 'tcp', String(firewall.ssh.port), 'ssh');
  }

  const { portMin, portMax } = pop.rtpengine;
  const lines: string[] = [
    '#!/usr/sbin/nft -f',
    `# Host firewall of POP ${pop.pop.id}, generated by \`vpop firewall render\`${options.sourceFile ? ` from ${options.sourceFile}` : ''}.`,
    '# Do not edit: change the POP file and render again. Loading this file replaces the table',
    `# inet ${nftTableName} in one transaction; other tables are left alone.`,
    `table inet ${nftTableName}`,
    `delete table inet ${nftTableName}`,
    '',
    `table inet ${nftTableName} {`,
    ...nftDropCounters.map((name) => `\tcounter ${name} {\n\t}`),
    ...sets.map(renderSet),
    '\tchain input {',
    '\t\ttype filter hook input priority filter; policy drop;',
    '\t\tiif "lo" accept',
    '\t\tct state established,related accept',
    '\t\tct state invalid counter name "invalid_dropped" drop',
    // Path MTU discovery, error reports and (for IPv6) neighbour discovery must pass or the host breaks.
    '\t\tip protocol icmp icmp type { destination-unreachable, time-exceeded, parameter-problem } accept',
    '\t\tip protocol icmp icmp type echo-request limit rate 10/second accept',
    '\t\tip6 nexthdr ipv6-icmp icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept',
    '\t\tip6 nexthdr ipv6-icmp icmpv6 type echo-request limit rate 10/second accept',
    ...rules.map((rule) => `\t\t${rule}`),
    `\t\tudp dport ${portMin}-${portMax} accept comment "rtpengine media range"`,
    ...(['tcp', 'udp'] as const)
      .filter((l4) => sipPorts[l4].size > 0)
      .map((l4) => `\t\t${l4} dport ${portList(sipPorts[l4])} counter name "sip_dropped" drop`),
    `\t\ttcp dport ${pop.ops.port} counter name "ops_dropped" drop`,
    `\t\ttcp dport ${firewall.ssh.port} counter name "ssh_dropped" drop`,
    '\t\tcounter name "other_dropped" drop',
    '\t}',
    '}',
    '',
  ];
  return lines.join('\n');
}

function renderSet(set: SourceSet): string {
  return [
    `\tset ${set.name} {`,
    `\t\ttype ${set.family === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr'}`,
    // interval: CIDR blocks; auto-merge: overlapping blocks in one list are not an error.
    '\t\tflags interval',
    '\t\tauto-merge',
    `\t\tcomment "${set.comment}"`,
    `\t\telements = { ${set.blocks.join(', ')} }`,
    '\t}',
  ].join('\n');
}

function portList(ports: Set<number>): string {
  const sorted = [...ports].sort((a, b) => a - b);
  return sorted.length === 1 ? String(sorted[0]) : `{ ${sorted.join(', ')} }`;
}

/** Trunk names are DNS labels; nft set names take letters, digits and '_'. Labels have no '_', so this is one-to-one. */
function setName(label: string): string {
  return label.replaceAll('-', '_');
}

function blockFamily(block: string): IpFamily | undefined {
  const parsed = parseCidr(block);
  return typeof parsed === 'string' ? undefined : parsed.family;
}

/** Which source families reach a listener: its own, or both for "::" (dual-stack). */
function listenerFamilies(listener: Pick<SipListenerConfig, 'address'>): IpFamily[] {
  const family = ipLiteralFamily(listener.address);
  if (family === 'ipv6' && isUnspecifiedAddress(listener.address)) return ['ipv4', 'ipv6'];
  return family ? [family] : [];
}

/** Where the routing core sends from (routingCore.allow, else its SIP URI's host) when off this host; it reaches only the core listener. */
function routingCoreBlocks(pop: PopConfig): string[] {
  if (pop.routingCore.allow) return pop.routingCore.allow.filter((block) => !isLoopbackAddress(block.slice(0, block.indexOf('/'))));
  const host = parseSipUri(pop.routingCore.sipUri)?.host.replace(/^\[(.*)\]$/, '$1');
  // Loopback needs no rule: the ruleset accepts everything on lo.
  if (!host || !ipLiteralFamily(host) || isLoopbackAddress(host)) return [];
  return [`${host}/${ipLiteralFamily(host) === 'ipv4' ? 32 : 128}`];
}
