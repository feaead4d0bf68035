// Where to send a request the UA core originates. Numeric hosts (the common
// case on a POP: trunks are configured by address) resolve synchronously so a
// burst of app commands keeps its order; names go through RFC 3263 DNS.
import { parseUriLocation } from '../dns/uri-location.js';
import { defaultPortFor, type SipServerTarget } from '../dns/sip-server-target.js';

/** The target for a URI with a numeric host; undefined when DNS is needed; null when unusable. */
export function numericTarget(uri: string): SipServerTarget | undefined | null {
  const location = parseUriLocation(uri);
  if (!location) return null;
  if (!location.numeric) return undefined;
  const param = location.transportParam;
  let transport: SipServerTarget['transport'];
  if (param === undefined) transport = location.secure ? 'tls' : 'udp';
  else if (param === 'udp' || param === 'tcp' || param === 'tls') transport = location.secure && param === 'tcp' ? 'tls' : param;
  else return null;
  return { transport, address: location.host, port: location.port ?? defaultPortFor(transport) };
}

/** The URI that decides the next hop: the first route (loose routing) or the target itself. */
export function nextHopUri(requestUri: string, routeSet: readonly string[]): string {
  const first = routeSet[0];
  if (first === undefined) return requestUri;
  const open = first.indexOf('<');
  const close = first.indexOf('>', open + 1);
  return open !== -1 && close !== -1 ? first.slice(open + 1, close) : first;
}
