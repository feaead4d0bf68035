// Strict parsing of IP literals and CIDR blocks for POP files. ipaddr.js alone accepts
// forms such as "127.1" or "0x7f.0.0.1"; a POP file must spell addresses plainly so that
// the allow-lists, the firewall rules generated from them and the operator all agree.
import ipaddr from 'ipaddr.js';

export type IpFamily = 'ipv4' | 'ipv6';

export interface CidrBlock {
  readonly text: string;
  readonly family: IpFamily;
  readonly address: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefixLength: number;
}

/** The family of a plainly written IPv4 (dotted quad) or IPv6 literal, or undefined if it is neither. */
export function ipLiteralFamily(text: string): IpFamily | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return 'ipv4';
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) return 'ipv6';
  return undefined;
}

/** Parses "address/prefix"; returns a reason string when the text is not a usable block. */
export function parseCidr(text: string): CidrBlock | string {
  const slash = text.indexOf('/');
  if (slash < 0) return `"${text}" is not a CIDR block: write address/prefix, e.g. 192.0.2.10/32`;
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family = ipLiteralFamily(addressText);
  if (!family) return `"${text}" is not a CIDR block: "${addressText}" is not an IPv4 or IPv6 address`;
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > maxPrefix) {
    return `"${text}" is not a CIDR block: prefix length must be 0..${maxPrefix}`;
  }
  const prefixLength = Number(prefixText);
  const address = ipaddr.parse(addressText);
  const network = family === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(text)
    : ipaddr.IPv6.networkAddressFromCIDR(text);
  // Host bits set usually means a typo in the prefix; refuse rather than guess which was meant.
  if (network.toString() !== address.toString()) {
    return `"${text}" has host bits set: did you mean ${network.toString()}/${prefixLength}?`;
  }
  return { text, family, address, prefixLength };
}

/** True when two blocks of the same family share at least one address. */
export function cidrBlocksOverlap(a: CidrBlock, b: CidrBlock): boolean {
  if (a.family !== b.family) return false;
  const shorter = a.prefixLength <= b.prefixLength ? a : b;
  const longer = shorter === a ? b : a;
  return longer.address.match(shorter.address, shorter.prefixLength);
}

/** True for 0.0.0.0 and ::, which a socket binds as "every address of the family". */
export function isUnspecifiedAddress(text: string): boolean {
  const family = ipLiteralFamily(text);
  return family !== undefined && ipaddr.parse(text).range() === 'unspecified';
}

/** True for 127.0.0.0/8, ::1 and ::ffff:127.x: addresses no other host can reach. */
export function isLoopbackAddress(text: string): boolean {
  if (ipLiteralFamily(text) === undefined) return false;
  const parsed = ipaddr.process(text);
  return parsed.range() === 'loopback';
}

/** Canonical text of a literal, so "::1" and "0:0::1" compare equal. */
export function canonicalAddress(text: string): string {
  return ipLiteralFamily(text) ? ipaddr.parse(text).toNormalizedString() : text;
}

/** `host:port` for URLs, SIP URIs and rtpengine's IP46:PORT flags: an IPv6 literal goes in brackets. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
