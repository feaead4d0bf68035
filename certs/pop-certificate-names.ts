// What a POP's certificate must name, derived from its POP file: carriers connect to the
// TLS listeners' public addresses (or the bound address when there is no NAT), by IP or
// by host name, and verify the certificate against that.
import { ipLiteralFamily, isUnspecifiedAddress } from '../platform/config/ip-literal.js';
import type { PopConfig } from '../platform/config/pop-schema.js';
import { normaliseCertificateNames, type CertificateNames } from './certificate-names.js';

export function popCertificateNames(pop: PopConfig): CertificateNames {
  const tlsListeners = pop.sip.listeners.filter((listener) => listener.transport === 'tls');
  // A POP without a TLS listener still uses its certificate as a TLS client.
  const carrierSide = tlsListeners.length > 0 ? tlsListeners : pop.sip.listeners;
  // The core verifies the edge on the internal mutual-TLS link by the same certificate.
  const core = pop.routingCore.listener;
  const listeners: { address: string; publicAddress?: string }[] = [...carrierSide, ...(core?.transport === 'tls' ? [core] : [])];
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const listener of listeners) {
    for (const address of [listener.address, listener.publicAddress]) {
      if (address === undefined) continue;
      if (!ipLiteralFamily(address)) dnsNames.push(address.toLowerCase());
      // 0.0.0.0 and :: are "every address", not a name anyone connects to.
      else if (!isUnspecifiedAddress(address)) ipAddresses.push(address);
    }
  }
  return normaliseCertificateNames({
    commonName: dnsNames[0] ?? pop.pop.id,
    organization: `VPOP ${pop.pop.id}`,
    dnsNames,
    ipAddresses,
  });
}
