// Two POPs of a redundant pair must agree: each names the other, one is primary and one
// secondary, the peer address is really the peer's, and both serve the same trunks from
// the same carrier addresses, so a carrier that fails over is accepted by the other one.
import { canonicalAddress } from './ip-literal.js';
import type { PopConfig } from './pop-schema.js';
import type { PathProblem } from './path-problem.js';

export interface PairProblems {
  /** Problems located in the first file. */
  first: PathProblem[];
  /** Problems located in the second file. */
  second: PathProblem[];
}

/** True when either POP names the other as its redundancy peer. */
export function popsFormPair(a: PopConfig, b: PopConfig): boolean {
  return a.redundancy?.peer.popId === b.pop.id || b.redundancy?.peer.popId === a.pop.id;
}

export function redundantPairProblems(a: PopConfig, b: PopConfig): PairProblems {
  const problems: PairProblems = { first: [], second: [] };
  peerNamingProblems(a, b, problems.second);
  peerNamingProblems(b, a, problems.first);
  if (a.redundancy && b.redundancy && a.redundancy.role === b.redundancy.role) {
    problems.second.push({ path: ['redundancy', 'role'], message: `both ${a.pop.id} and ${b.pop.id} are ${b.redundancy.role}: one must be primary, the other secondary` });
  }
  peerAddressProblems(a, b, problems.first);
  peerAddressProblems(b, a, problems.second);
  problems.second.push(...trunkAgreementProblems(a, b));
  return problems;
}

/** `namer` names `named` as peer; problems land in `named`'s file. */
function peerNamingProblems(namer: PopConfig, named: PopConfig, into: PathProblem[]): void {
  if (namer.redundancy?.peer.popId !== named.pop.id) return;
  if (!named.redundancy) {
    into.push({ path: ['pop', 'id'], message: `${namer.pop.id} names this POP as its redundancy peer, but this file has no redundancy section` });
  } else if (named.redundancy.peer.popId !== namer.pop.id) {
    into.push({ path: ['redundancy', 'peer', 'popId'], message: `${namer.pop.id} names this POP as its peer, but this file names "${named.redundancy.peer.popId}"` });
  }
}

function popAddresses(pop: PopConfig): string[] {
  return [
    ...pop.sip.listeners.map((listener) => listener.address),
    pop.ops.address,
    ...pop.rtpengine.interfaces.map((mediaInterface) => mediaInterface.address),
  ];
}

/** `pop`'s peer address must be one of `peer`'s own addresses. */
function peerAddressProblems(pop: PopConfig, peer: PopConfig, into: PathProblem[]): void {
  if (pop.redundancy?.peer.popId !== peer.pop.id) return;
  const address = pop.redundancy.peer.address;
  const known = [...new Set(popAddresses(peer))];
  if (!known.some((candidate) => canonicalAddress(candidate) === canonicalAddress(address))) {
    into.push({ path: ['redundancy', 'peer', 'address'], message: `${address} is none of ${peer.pop.id}'s addresses (${known.join(', ')})` });
  }
}

/** Problems located in `b`'s file. */
function trunkAgreementProblems(a: PopConfig, b: PopConfig): PathProblem[] {
  const problems: PathProblem[] = [];
  const bNames = new Set(b.trunks.map((trunk) => trunk.name));
  for (const trunk of a.trunks) {
    if (!bNames.has(trunk.name)) {
      problems.push({ path: ['trunks'], message: `trunk "${trunk.name}" of peer ${a.pop.id} is missing here: both POPs of a pair serve the same trunks` });
    }
  }
  b.trunks.forEach((trunk, index) => {
    const twin = a.trunks.find((candidate) => candidate.name === trunk.name);
    if (!twin) {
      problems.push({ path: ['trunks', index, 'name'], message: `trunk "${trunk.name}" is not on peer ${a.pop.id}: both POPs of a pair serve the same trunks` });
    } else if (normalisedList(twin.allow) !== normalisedList(trunk.allow)) {
      problems.push({ path: ['trunks', index, 'allow'], message: `allow-list of trunk "${trunk.name}" differs from peer ${a.pop.id}'s (${twin.allow.join(', ')})` });
    }
  });
  return problems;
}

function normalisedList(list: readonly string[]): string {
  return [...list].sort().join(',');
}
