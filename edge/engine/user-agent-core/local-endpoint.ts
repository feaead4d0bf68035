// The engine's own address as it appears in the messages it originates: the
// Via sent-by, the Contact, and the hostports reported to apps.

export type EngineTransport = 'udp' | 'tcp' | 'tls';

export interface LocalEndpoint {
  transport: EngineTransport;
  /** Advertised address (public address when configured). */
  address: string;
  port: number;
}

/** IPv6 literals are bracketed in SIP host positions. */
export function hostForSip(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

export function viaFor(local: LocalEndpoint, branch: string): string {
  return `SIP/2.0/${local.transport.toUpperCase()} ${hostForSip(local.address)}:${local.port};rport;branch=${branch}`;
}

export function contactFor(local: LocalEndpoint): string {
  const transport = local.transport === 'udp' ? '' : `;transport=${local.transport}`;
  return `<sip:${hostForSip(local.address)}:${local.port}${transport}>`;
}

/** `udp/127.0.0.1:5060`, the form drachtio-server reports on authentication. */
export function hostportFor(local: LocalEndpoint): string {
  return `${local.transport}/${hostForSip(local.address)}:${local.port}`;
}
