// Is this request the routing core's? Only a request that arrived on the edge's internal
// listener can be, and there only with the core's identity: on a TLS link the client
// certificate the engine verified against the POP CA (subject and/or fingerprint as the
// POP file names them), on a plain loopback link the listener's allowed source. The
// source address alone never makes a request the core's: carrier listeners do not admit
// the core at all. Pure.
import { AllowList } from '../../engine/allow-list/allow-list.js';
import { canonicalAddress, isUnspecifiedAddress } from '../../../platform/config/ip-literal.js';
import type { CoreListenerConfig, PopConfig } from '../../../platform/config/pop-schema.js';
import { certificateMatches, type ClientCertificateIdentity } from './trunk-identification.js';

export interface ArrivedRequest {
  /** The local listener as the engine reports it (drachtio's receivedOn, `address:port`). */
  receivedOn: string | undefined;
  /** The source address. */
  address: string;
  /** udp, tcp or tls. */
  protocol: string;
  clientCertificate: ClientCertificateIdentity | undefined;
}

export type CoreIdentification =
  /** On the internal listener with the core's identity. */
  | { kind: 'core' }
  /** On the internal listener without it: refused, never handed to the carrier policy. */
  | { kind: 'impostor'; reason: string }
  /** Not on the internal listener: a carrier's or a phone's request. */
  | { kind: 'elsewhere' };

export class CoreIdentity {
  private readonly listener: CoreListenerConfig | undefined;
  private readonly expected: PopConfig['routingCore']['certificate'];
  private readonly plainSources: AllowList;

  /** `plainSources`: who a plain (loopback) core listener admits (engine-options' corePeerCidrs). */
  constructor(pop: PopConfig, plainSources: readonly string[]) {
    this.listener = pop.routingCore.listener;
    this.expected = pop.routingCore.certificate;
    this.plainSources = new AllowList(plainSources);
  }

  identify(request: ArrivedRequest): CoreIdentification {
    const listener = this.listener;
    if (listener === undefined || !arrivedOn(listener, request.receivedOn)) return { kind: 'elsewhere' };
    if (request.protocol.toLowerCase() !== listener.transport) return { kind: 'impostor', reason: `${request.protocol} on the ${listener.transport} core listener` };
    if (listener.transport === 'tls') {
      if (this.expected === undefined) return { kind: 'impostor', reason: 'no core certificate configured' };
      return certificateMatches(this.expected, request.clientCertificate)
        ? { kind: 'core' }
        : { kind: 'impostor', reason: request.clientCertificate === undefined ? 'no verified client certificate' : 'client certificate is not the core\'s' };
    }
    return this.plainSources.allows(request.address) ? { kind: 'core' } : { kind: 'impostor', reason: 'source is not the core' };
  }
}

/** True when `receivedOn` (`address:port`, IPv6 possibly in brackets) is this listener's socket. */
export function arrivedOn(listener: CoreListenerConfig, receivedOn: string | undefined): boolean {
  if (receivedOn === undefined) return false;
  const colon = receivedOn.lastIndexOf(':');
  if (colon < 0) return false;
  const port = Number(receivedOn.slice(colon + 1));
  const address = receivedOn.slice(0, colon).replace(/^\[|\]$/g, '');
  if (port !== listener.port) return false;
  return isUnspecifiedAddress(listener.address) || canonicalAddress(address.replace(/^::ffff:/i, '')) === canonicalAddress(listener.address);
}
