// Route header handling of a proxy: RFC 3261 §16.4 (remove our own Route entries,
// undo a strict router's rewrite) and §16.6 steps 6–7 (where the request goes next).

import { splitHeaderList } from '../messages/headers/header-list.js';
import { parseNameAddr } from '../messages/headers/name-addr.js';
import { parseSipUri } from '../messages/headers/sip-uri.js';
import type { SipRequest } from '../messages/sip-message.js';
import { isOwnUri, type ProxyLocalAddress } from './local-address.js';

/** Every Route entry of the request, in order, one element per list item. */
export function routeEntries(request: SipRequest): string[] {
  return request.headers.getAll('Route').flatMap((value) => splitHeaderList(value)).filter((entry) => entry !== '');
}

function setRouteEntries(request: SipRequest, entries: readonly string[]): void {
  request.headers.remove('Route');
  for (const entry of entries) request.headers.append('Route', entry);
}

function entryUri(entry: string): string | undefined {
  return parseNameAddr(entry)?.uri;
}

/** The loose-routing flag (RFC 3261 §19.1.1 `lr` URI parameter). */
function hasLr(uri: string): boolean {
  return parseSipUri(uri)?.params.has('lr') ?? false;
}

/**
 * §16.4 on a copy-to-be-forwarded: if the Request-URI is a URI we placed in a
 * Record-Route (an upstream strict router put it there), restore the real target
 * from the last Route entry; then drop every leading Route entry that is ours
 * (two of them when we double record-routed). Mutates `request`.
 */
export function removeOwnRoutes(request: SipRequest, locals: readonly ProxyLocalAddress[]): void {
  let entries = routeEntries(request);
  let rewritten = false;
  if (entries.length > 0 && isOwnUri(request.uri, locals) && hasLr(request.uri)) {
    const last = entries[entries.length - 1]!;
    const uri = entryUri(last);
    if (uri) {
      request.uri = uri;
      entries = entries.slice(0, -1);
      rewritten = true;
    }
  }
  let ownLeading = 0;
  while (ownLeading < entries.length) {
    const uri = entryUri(entries[ownLeading]!);
    if (!uri || !isOwnUri(uri, locals)) break;
    ownLeading++;
  }
  if (ownLeading > 0 || rewritten) setRouteEntries(request, entries.slice(ownLeading));
}

/** True when the request reached us because of a Route (or strict-routed Request-URI) naming us. */
export function isRoutedThroughUs(request: SipRequest, locals: readonly ProxyLocalAddress[]): boolean {
  const first = routeEntries(request)[0];
  const firstUri = first === undefined ? undefined : entryUri(first);
  if (firstUri !== undefined && isOwnUri(firstUri, locals)) return true;
  return first !== undefined && isOwnUri(request.uri, locals) && hasLr(request.uri);
}

/**
 * §16.6 steps 6–7 after our own entries are gone: the URI whose host the request is
 * sent to. A top Route without ;lr is a strict router (§16.6 step 6): it becomes the
 * Request-URI and the old Request-URI goes to the end of the Route set. Mutates `request`.
 */
export function nextHopUri(request: SipRequest): string {
  const entries = routeEntries(request);
  const first = entries[0];
  if (first === undefined) return request.uri;
  const parsed = parseNameAddr(first);
  if (!parsed) return request.uri;
  if (hasLr(parsed.uri)) return parsed.uri;
  const rest = [...entries.slice(1), `<${request.uri}>`];
  request.uri = parsed.uri;
  setRouteEntries(request, rest);
  return parsed.uri;
}
