// Source-address allow-lists (v4 and v6 CIDR), checked at the socket before any
// parsing. Ranges are parsed once into integers so a check is a few masks and
// compares; a bounded per-address cache skips even the address parse for the
// handful of peers (trunks) that send nearly all the traffic.
import ipaddr from 'ipaddr.js';
import { ipLiteralFamily, parseCidr } from '../../../platform/config/ip-literal.js';

/** One rejected entry of an allow-list, by position, for config error messages. */
export interface InvalidAllowListEntry {
  index: number;
  entry: string;
  reason: string;
}

/** Thrown by AllowList.parse/new AllowList when some entries are not valid CIDRs or addresses. */
export class AllowListError extends Error {
  constructor(readonly invalid: readonly InvalidAllowListEntry[]) {
    super(
      `invalid allow-list ${invalid.length === 1 ? 'entry' : 'entries'}: ` +
        invalid.map((bad) => `[${bad.index}] '${bad.entry}': ${bad.reason}`).join('; '),
    );
    this.name = 'AllowListError';
  }
}

interface V6Range {
  /** Eight 16-bit groups of the network address. */
  parts: readonly number[];
  prefix: number;
}

/** Results cached per address string; cleared wholesale when full, which keeps it O(1) and bounded. */
const CACHE_LIMIT = 4096;

function v4MaskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function v4ToUint(octets: readonly number[]): number {
  return (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0;
}

function v6Matches(parts: readonly number[], range: V6Range): boolean {
  let bits = range.prefix;
  for (let i = 0; i < 8 && bits > 0; i++) {
    const take = bits >= 16 ? 16 : bits;
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((parts[i] ?? 0) & mask) !== ((range.parts[i] ?? 0) & mask)) return false;
    bits -= take;
  }
  return true;
}

/**
 * A canonical dotted quad (what Node reports for v4 peers) as an unsigned
 * 32-bit value, or -1 for anything else; cheaper than a general parse, which
 * matters when a spoofed-source flood defeats the cache.
 */
function dottedQuadValue(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      part = part * 10 + (code - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (code === 46 && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

type ParsedEntry = { kind: 'v4'; net: number; mask: number } | { kind: 'v6'; range: V6Range };

/**
 * Parses one entry: `a.b.c.d/n`, `v6/n`, or a bare address (a single host). The CIDR rules are
 * the POP file's (platform/config/ip-literal.ts), so config validation and the socket agree.
 * Returns a reason string on error.
 */
function parseEntry(raw: string): ParsedEntry | string {
  const entry = raw.trim();
  if (entry === '') return 'empty entry';
  const family = entry.includes('/') ? undefined : ipLiteralFamily(entry);
  const block = parseCidr(family === undefined ? entry : `${entry}/${family === 'ipv4' ? 32 : 128}`);
  if (typeof block === 'string') return block;
  const prefix = block.prefixLength;
  if (block.address.kind() === 'ipv6') {
    const v6 = block.address as ipaddr.IPv6;
    // ::ffff:a.b.c.d/n (n >= 96) is a v4 range in disguise; peers reach us as plain v4 too.
    if (v6.isIPv4MappedAddress() && prefix >= 96) {
      const mask = v4MaskOf(prefix - 96);
      return { kind: 'v4', net: (v4ToUint(v6.toIPv4Address().octets) & mask) >>> 0, mask };
    }
    return { kind: 'v6', range: { parts: v6.parts.slice(), prefix } };
  }
  const mask = v4MaskOf(prefix);
  return { kind: 'v4', net: (v4ToUint((block.address as ipaddr.IPv4).octets) & mask) >>> 0, mask };
}

/**
 * An immutable set of CIDR ranges. `allows(address)` answers whether a peer
 * address (as Node reports it, v4, v6 or IPv4-mapped v6) is inside any range.
 */
export class AllowList {
  /** The entries as given, for logs, firewall rule generation and config dumps. */
  readonly entries: readonly string[];
  private readonly v4Nets: Uint32Array;
  private readonly v4Masks: Uint32Array;
  private readonly v6Ranges: readonly V6Range[];
  private readonly cache = new Map<string, boolean>();

  /** Throws AllowListError naming every invalid entry. */
  constructor(cidrs: Iterable<string>) {
    const entries = [...cidrs];
    const invalid: InvalidAllowListEntry[] = [];
    const v4: { net: number; mask: number }[] = [];
    const v6: V6Range[] = [];
    entries.forEach((entry, index) => {
      const parsed = typeof entry === 'string' ? parseEntry(entry) : 'not a string';
      if (typeof parsed === 'string') invalid.push({ index, entry: String(entry), reason: parsed });
      else if (parsed.kind === 'v4') v4.push(parsed);
      else v6.push(parsed.range);
    });
    if (invalid.length > 0) throw new AllowListError(invalid);
    this.entries = Object.freeze(entries);
    this.v4Nets = Uint32Array.from(v4, (r) => r.net);
    this.v4Masks = Uint32Array.from(v4, (r) => r.mask);
    this.v6Ranges = v6;
  }

  /** Same as the constructor; reads better at call sites that validate config. */
  static parse(cidrs: Iterable<string>): AllowList {
    return new AllowList(cidrs);
  }

  /** Validates without throwing: the invalid entries, or an empty array. */
  static check(cidrs: Iterable<string>): InvalidAllowListEntry[] {
    try {
      new AllowList(cidrs);
      return [];
    } catch (error) {
      if (error instanceof AllowListError) return [...error.invalid];
      throw error;
    }
  }

  /** Every v4 and v6 address. For internal listeners (loopback control paths, tests). */
  static any(): AllowList {
    return new AllowList(['0.0.0.0/0', '::/0']);
  }

  /** No address at all. */
  static none(): AllowList {
    return new AllowList([]);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Whether a peer address is inside the list. Unparseable addresses are not allowed. */
  allows(address: string): boolean {
    const cached = this.cache.get(address);
    if (cached !== undefined) return cached;
    const result = this.compute(address);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(address, result);
    return result;
  }

  private compute(address: string): boolean {
    const quad = dottedQuadValue(address);
    if (quad >= 0) return this.matchesV4(quad);
    // Peers are reported as canonical dotted quads or v6; other v4 spellings (0x7f.1, 127.1) are refused.
    if (!address.includes(':')) return false;
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      // process() turns ::ffff:a.b.c.d into a.b.c.d so mapped peers match v4 entries.
      parsed = ipaddr.process(address);
    } catch {
      return false;
    }
    if (parsed.kind() === 'ipv4') return this.matchesV4(v4ToUint((parsed as ipaddr.IPv4).octets));
    const parts = (parsed as ipaddr.IPv6).parts;
    for (const range of this.v6Ranges) if (v6Matches(parts, range)) return true;
    return false;
  }

  private matchesV4(value: number): boolean {
    const nets = this.v4Nets;
    const masks = this.v4Masks;
    for (let i = 0; i < nets.length; i++) {
      if (((value & (masks[i] ?? 0)) >>> 0) === nets[i]) return true;
    }
    return false;
  }
}

/**
 * The list a listener consults, swappable at run time: a reload replaces the
 * reference in one assignment, so every check sees either the old or the new list.
 */
export class AllowListHolder {
  constructor(private list: AllowList) {}

  get current(): AllowList {
    return this.list;
  }

  replace(list: AllowList): AllowList {
    const previous = this.list;
    this.list = list;
    return previous;
  }

  allows(address: string): boolean {
    return this.list.allows(address);
  }
}
