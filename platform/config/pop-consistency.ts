// Checks that span several fields of a POP file whose shape is already valid. Each check
// is a small function returning problems located by field path; this list is the policy.
import { allowListOverlapProblems } from './allow-list-overlaps.js';
import { isLoopbackAddress } from './ip-literal.js';
import { popPortBindings, portClashProblems } from './port-plan.js';
import type { PopConfig } from './pop-schema.js';
import type { PathProblem } from './path-problem.js';
import type { FieldPath } from './yaml-positions.js';

export type { PathProblem } from './path-problem.js';

export function popConsistencyProblems(config: PopConfig): PathProblem[] {
  return [
    ...uniqueNameProblems(config),
    ...mediaRangeProblems(config),
    ...portClashProblems(popPortBindings(config)),
    ...tlsNeededProblems(config),
    ...trunkTransportProblems(config),
    ...trunkOutboundProblems(config),
    ...allowListOverlapProblems(config),
    ...redundancyProblems(config),
    ...coreLinkProblems(config),
  ];
}

function duplicates(names: readonly string[], pathOf: (index: number) => FieldPath, what: string): PathProblem[] {
  const firstIndex = new Map<string, number>();
  const problems: PathProblem[] = [];
  names.forEach((name, index) => {
    const first = firstIndex.get(name);
    if (first === undefined) firstIndex.set(name, index);
    else problems.push({ path: pathOf(index), message: `duplicate ${what} "${name}" (first at index ${first})` });
  });
  return problems;
}

function uniqueNameProblems(config: PopConfig): PathProblem[] {
  return [
    ...duplicates(
      [...config.sip.listeners.map((l) => l.name), config.routingCore.listener.name],
      (i) => (i < config.sip.listeners.length ? ['sip', 'listeners', i, 'name'] : ['routingCore', 'listener', 'name']),
      'listener name',
    ),
    ...duplicates(config.trunks.map((t) => t.name), (i) => ['trunks', i, 'name'], 'trunk name'),
    ...duplicates(config.rtpengine.interfaces.map((m) => m.name), (i) => ['rtpengine', 'interfaces', i, 'name'], 'interface name'),
    ...duplicates(config.phones?.credentials?.map((c) => c.username) ?? [], (i) => ['phones', 'credentials', i, 'username'], 'phone username'),
  ];
}

function mediaRangeProblems(config: PopConfig): PathProblem[] {
  const { portMin, portMax } = config.rtpengine;
  if (portMin <= portMax) return [];
  return [{ path: ['rtpengine', 'portMax'], message: `portMax ${portMax} is below portMin ${portMin}` }];
}

function tlsNeededProblems(config: PopConfig): PathProblem[] {
  const problems: PathProblem[] = [];
  if (!config.tls) {
    config.sip.listeners.forEach((listener, index) => {
      if (listener.transport === 'tls') {
        problems.push({ path: ['sip', 'listeners', index, 'transport'], message: `listener "${listener.name}" uses TLS but the file has no tls section (certificate and key)` });
      }
    });
    config.trunks.forEach((trunk, index) => {
      if (trunk.transports.length === 1 && trunk.transports[0] === 'tls') {
        problems.push({ path: ['trunks', index, 'transports'], message: `trunk "${trunk.name}" allows only TLS but the file has no tls section (certificate and key)` });
      }
    });
  } else if (config.tls.requireClientCert && config.tls.caFile === undefined) {
    problems.push({ path: ['tls', 'requireClientCert'], message: 'requireClientCert needs caFile, the CA bundle that verifies client certificates' });
  }
  return problems;
}

function trunkTransportProblems(config: PopConfig): PathProblem[] {
  const listened = new Set(config.sip.listeners.map((listener) => listener.transport));
  const problems: PathProblem[] = [];
  config.trunks.forEach((trunk, trunkIndex) => {
    trunk.transports.forEach((transport, index) => {
      if (!listened.has(transport)) {
        problems.push({ path: ['trunks', trunkIndex, 'transports', index], message: `trunk "${trunk.name}" allows ${transport} but no SIP listener uses ${transport}` });
      }
    });
    if (trunk.clientCert && !trunk.transports.includes('tls')) {
      problems.push({ path: ['trunks', trunkIndex, 'clientCert'], message: `trunk "${trunk.name}" is identified by client certificate but does not allow tls` });
    }
  });
  return problems;
}

function trunkOutboundProblems(config: PopConfig): PathProblem[] {
  const problems: PathProblem[] = [];
  config.trunks.forEach((trunk, index) => {
    if (trunk.outbound && (trunk.gateways ?? []).length === 0) {
      problems.push({ path: ['trunks', index, 'outbound'], message: `trunk "${trunk.name}" routes outbound numbers but has no gateways to send them to` });
    }
  });
  return problems;
}

function redundancyProblems(config: PopConfig): PathProblem[] {
  if (config.redundancy?.peer.popId !== config.pop.id) return [];
  return [{ path: ['redundancy', 'peer', 'popId'], message: `the redundancy peer cannot be this POP itself ("${config.pop.id}")` }];
}

/**
 * The edge and the core talk over the edge's own internal listener: mutual TLS where the
 * core is known by its certificate, or plain UDP/TCP only on loopback, where no packet
 * from the network can carry the source address.
 */
function coreLinkProblems(config: PopConfig): PathProblem[] {
  const core = config.routingCore;
  const listener = core.listener;
  const problems: PathProblem[] = [];
  if (listener.transport === 'tls') {
    if (!config.tls) problems.push({ path: ['routingCore', 'listener', 'transport'], message: 'a tls core listener needs the tls section (the edge\'s certificate and key)' });
    if (core.caFile === undefined) problems.push({ path: ['routingCore', 'caFile'], message: 'a tls core listener needs caFile, the CA that issued the core\'s certificate' });
    if (core.certificate === undefined) problems.push({ path: ['routingCore', 'certificate'], message: 'a tls core listener needs certificate (subject and/or fingerprintSha256): the core is identified by it' });
    if (!core.sipUri.startsWith('sips:') && !/;transport=tls/i.test(core.sipUri)) {
      problems.push({ path: ['routingCore', 'sipUri'], message: 'with a tls core listener the edge reaches the core over TLS too: use a sips: URI (or ;transport=tls)' });
    }
  } else if (!isLoopbackAddress(listener.address)) {
    problems.push({ path: ['routingCore', 'listener', 'transport'], message: `a ${listener.transport} core listener is allowed only on a loopback address (its source address would be the core's only proof); use tls on ${listener.address}` });
  }
  return problems;
}
