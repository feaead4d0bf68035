// Every socket a POP binds, and the clashes between them. Two services clash when their
// addresses overlap (equal, or one is the wildcard of the family) and they use the same
// port on the same protocol: SIP over UDP and TCP may share 5060, TCP and TLS may not.
// The rtpengine media range is reserved on both protocols: no other service may take a
// port inside it, so the media firewall rules and the service rules never overlap.
import { canonicalAddress, ipLiteralFamily, isUnspecifiedAddress } from './ip-literal.js';
import type { PopConfig } from './pop-schema.js';
import type { FieldPath } from './yaml-positions.js';
import type { PathProblem } from './path-problem.js';

export type BindingProtocol = 'udp' | 'tcp' | 'media';

export interface PortBinding {
  /** Where the port is written in the POP file. */
  path: FieldPath;
  /** What binds it, for messages: 'SIP listener "tls"', 'ops.port'. */
  owner: string;
  address: string;
  protocol: BindingProtocol;
  portFrom: number;
  portTo: number;
  /** Another host's address (routing core): clashes only with exactly the same address. */
  remote?: boolean;
}

/** The sockets a POP binds, in file order. */
export function popPortBindings(config: PopConfig): PortBinding[] {
  const bindings: PortBinding[] = [];
  const single = (path: FieldPath, owner: string, address: string, protocol: BindingProtocol, port: number, remote = false) =>
    bindings.push({ path, owner, address, protocol, portFrom: port, portTo: port, remote });

  config.sip.listeners.forEach((listener, index) => {
    single(['sip', 'listeners', index, 'port'], `SIP listener "${listener.name}" (${listener.transport})`,
      listener.address, listener.transport === 'udp' ? 'udp' : 'tcp', listener.port);
  });

  const { engine, rtpengine, routingCore, ops, sbc } = config;
  if (routingCore.listener) {
    const listener = routingCore.listener;
    single(['routingCore', 'listener', 'port'], `core listener "${listener.name}" (${listener.transport})`,
      listener.address, listener.transport === 'udp' ? 'udp' : 'tcp', listener.port);
  }
  single(['engine', 'controlPort'], 'engine.controlPort (tcp)', engine.controlAddress, 'tcp', engine.controlPort);
  if (engine.metricsPort !== undefined) {
    single(['engine', 'metricsPort'], 'engine.metricsPort (tcp)', engine.controlAddress, 'tcp', engine.metricsPort);
  }

  if (sbc?.metricsPort !== undefined) {
    single(['sbc', 'metricsPort'], 'sbc.metricsPort (tcp)', ops.address, 'tcp', sbc.metricsPort);
  }

  single(['rtpengine', 'ngPort'], 'rtpengine.ngPort (udp)', rtpengine.ngAddress, 'udp', rtpengine.ngPort);
  if (rtpengine.cliPort !== undefined) {
    single(['rtpengine', 'cliPort'], 'rtpengine.cliPort (tcp)', rtpengine.ngAddress, 'tcp', rtpengine.cliPort);
  }
  single(['rtpengine', 'httpPort'], 'rtpengine.httpPort (tcp)', rtpengine.ngAddress, 'tcp', rtpengine.httpPort);
  if (rtpengine.dtmfLogPort !== undefined) {
    single(['rtpengine', 'dtmfLogPort'], 'rtpengine.dtmfLogPort (udp)', rtpengine.ngAddress, 'udp', rtpengine.dtmfLogPort);
  }
  if (rtpengine.portMin <= rtpengine.portMax) {
    rtpengine.interfaces.forEach((mediaInterface, index) => {
      bindings.push({
        path: ['rtpengine', 'interfaces', index],
        owner: `rtpengine media range ${rtpengine.portMin}-${rtpengine.portMax} of interface "${mediaInterface.name}"`,
        address: mediaInterface.address,
        protocol: 'media',
        portFrom: rtpengine.portMin,
        portTo: rtpengine.portMax,
      });
    });
  }

  const core = sipUriHostPort(routingCore.sipUri);
  if (core) {
    single(['routingCore', 'sipUri'], 'routingCore.sipUri (udp)', core.host, 'udp', core.port, true);
    single(['routingCore', 'sipUri'], 'routingCore.sipUri (tcp)', core.host, 'tcp', core.port, true);
  }
  if (routingCore.httpAddress !== undefined && routingCore.httpPort !== undefined) {
    single(['routingCore', 'httpPort'], 'routingCore.httpPort (tcp)', routingCore.httpAddress, 'tcp', routingCore.httpPort, true);
  }

  single(['ops', 'port'], 'ops.port (tcp)', ops.address, 'tcp', ops.port);
  return bindings;
}

/** One problem per clashing pair, reported at the binding that is not a media range, else the later one. */
export function portClashProblems(bindings: readonly PortBinding[]): PathProblem[] {
  const problems: PathProblem[] = [];
  for (let later = 0; later < bindings.length; later++) {
    for (let earlier = 0; earlier < later; earlier++) {
      const a = bindings[earlier] as PortBinding;
      const b = bindings[later] as PortBinding;
      if (!bindingsClash(a, b)) continue;
      const [reported, other] = b.protocol === 'media' && a.protocol !== 'media' ? [a, b] : [b, a];
      const where = reported.portFrom === reported.portTo ? `port ${reported.portFrom}` : `ports ${reported.portFrom}-${reported.portTo}`;
      const detail = other.protocol === 'media' || reported.protocol === 'media'
        ? `is inside ${other.owner}`
        : `is also used by ${other.owner}`;
      problems.push({ path: reported.path, message: `${where} on ${reported.address} ${detail} on ${other.address}` });
    }
  }
  return problems;
}

function bindingsClash(a: PortBinding, b: PortBinding): boolean {
  if (a.portFrom > b.portTo || b.portFrom > a.portTo) return false;
  const protocolsMeet = a.protocol === 'media' || b.protocol === 'media' || a.protocol === b.protocol;
  return protocolsMeet && addressesOverlap(a.address, b.address, Boolean(a.remote || b.remote));
}

function addressesOverlap(a: string, b: string, exactOnly: boolean): boolean {
  if (canonicalAddress(a) === canonicalAddress(b)) return true;
  if (exactOnly) return false;
  const familyA = ipLiteralFamily(a);
  const familyB = ipLiteralFamily(b);
  // "::" binds IPv4 too on a dual-stack socket (Node's default); "0.0.0.0" only IPv4.
  if (isUnspecifiedAddress(a)) return familyA === 'ipv6' || familyA === familyB;
  if (isUnspecifiedAddress(b)) return familyB === 'ipv6' || familyA === familyB;
  return false;
}

/** Host and port of a sip:/sips: URI whose host is an IP literal; undefined for host names. */
export function sipUriHostPort(uri: string): { host: string; port: number } | undefined {
  const match = /^(sips?):(?:[^@;?]*@)?(\[[0-9a-fA-F:.]+\]|[^:;?]+)(?::([0-9]{1,5}))?/.exec(uri);
  if (!match) return undefined;
  const host = (match[2] as string).replace(/^\[|\]$/g, '');
  if (!ipLiteralFamily(host)) return undefined;
  const port = match[3] !== undefined ? Number(match[3]) : match[1] === 'sips' ? 5061 : 5060;
  return { host, port };
}
