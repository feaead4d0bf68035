// RFC 3263 §4 server location for outbound SIP requests, over node:dns.
//
// URI → ordered list of { transport, address, port }. The caller tries them in
// order and moves on to the next on a transport error, a timeout or a 503
// (RFC 3263 §4.3). An empty list means the URI cannot be resolved.

import { promises as dnsPromises } from 'node:dns';
import { pino, type Logger } from 'pino';
import { selectNaptrServices, type NaptrRecord, type NaptrService } from './naptr-selection.js';
import { orderSrvRecords, type RandomSource, type SrvRecord } from './srv-ordering.js';
import { defaultPortFor, type SipServerTarget, type SipTransport } from './sip-server-target.js';
import { TtlCache, type NowMs } from './ttl-cache.js';
import { parseUriLocation, type UriLocation } from './uri-location.js';

export interface SipServerLocatorOptions {
  /** DNS servers as "ip" or "ip:port"; the system resolvers when absent. */
  servers?: string[];
  /** Per-query timeout in ms (default 2000) and attempts per server (default 2). */
  timeoutMs?: number;
  tries?: number;
  /** Transports this engine can send on, in order of preference when DNS gives no order. */
  supportedTransports?: SipTransport[];
  /** Which address families to return for a host, in order (default IPv4 then IPv6). */
  addressFamilies?: Array<4 | 6>;
  random?: RandomSource;
  now?: NowMs;
  cacheSize?: number;
  /** node:dns does not report TTLs for NAPTR/SRV answers, so those are kept this long. */
  recordTtlSeconds?: number;
  /** How long "no such name / no data" is remembered. */
  negativeTtlSeconds?: number;
  logger?: Logger;
}

// Answers that mean "the name or record type does not exist" (negative, cacheable).
const NEGATIVE_CODES = new Set(['ENOTFOUND', 'ENODATA', 'NOTFOUND', 'NODATA']);

const SRV_PREFIX: Record<SipTransport, string> = {
  udp: '_sip._udp.',
  tcp: '_sip._tcp.',
  tls: '_sips._tcp.',
};

export class SipServerLocator {
  private readonly resolver: dnsPromises.Resolver;
  private readonly supported: SipTransport[];
  private readonly families: Array<4 | 6>;
  private readonly random: RandomSource;
  private readonly cache: TtlCache<unknown[]>;
  private readonly recordTtl: number;
  private readonly negativeTtl: number;
  private readonly logger: Logger;

  constructor(options: SipServerLocatorOptions = {}) {
    this.resolver = new dnsPromises.Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
    if (options.servers) this.resolver.setServers(options.servers);
    this.supported = options.supportedTransports ?? ['udp', 'tcp', 'tls'];
    this.families = options.addressFamilies ?? [4, 6];
    this.random = options.random ?? Math.random;
    this.cache = new TtlCache(options.cacheSize ?? 1000, options.now ?? Date.now);
    this.recordTtl = options.recordTtlSeconds ?? 60;
    this.negativeTtl = options.negativeTtlSeconds ?? 30;
    this.logger = options.logger ?? pino({ level: 'silent' });
  }

  /** Ordered targets for a sip:/sips: URI; empty when it cannot be resolved. Never throws. */
  async locate(uri: string): Promise<SipServerTarget[]> {
    const location = parseUriLocation(uri);
    if (!location) return [];
    const explicit = explicitTransport(location);
    if (explicit === null) return [];
    if (explicit !== undefined && !this.supported.includes(explicit)) return [];
    const fallbackTransport: SipTransport = explicit ?? (location.secure ? 'tls' : 'udp');

    // §4.1/§4.2: a numeric host or an explicit port skips NAPTR and SRV.
    if (location.numeric) {
      if (!this.supported.includes(fallbackTransport)) return [];
      return [{ transport: fallbackTransport, address: location.host, port: location.port ?? defaultPortFor(fallbackTransport) }];
    }
    if (location.port !== undefined) {
      return this.hostTargets(location.host, fallbackTransport, location.port);
    }

    let targets: SipServerTarget[] = [];
    if (explicit !== undefined) {
      targets = await this.srvTargets(SRV_PREFIX[explicit] + location.host, explicit);
    } else {
      const services = selectNaptrServices(await this.naptr(location.host), location.secure, this.supported);
      targets = await this.serviceTargets(services.length > 0 ? services : this.defaultServices(location));
    }
    if (targets.length === 0) {
      targets = await this.hostTargets(location.host, fallbackTransport, defaultPortFor(fallbackTransport));
    }
    return dedupe(targets);
  }

  /** Forget every cached answer (e.g. after a configuration reload). */
  clearCache(): void {
    this.cache.clear();
  }

  // §4.1: without NAPTR records, try SRV for each transport we support (sips: TLS only).
  private defaultServices(location: UriLocation): NaptrService[] {
    const transports = location.secure ? (['tls'] as SipTransport[]) : this.supported;
    return transports
      .filter((transport) => this.supported.includes(transport))
      .map((transport) => ({ transport, srvName: SRV_PREFIX[transport] + location.host }));
  }

  private async serviceTargets(services: NaptrService[]): Promise<SipServerTarget[]> {
    const perService = await Promise.all(services.map((service) => this.srvTargets(service.srvName, service.transport)));
    return perService.flat();
  }

  private async srvTargets(srvName: string, transport: SipTransport): Promise<SipServerTarget[]> {
    const ordered = orderSrvRecords(await this.srv(srvName), this.random);
    const perRecord = await Promise.all(ordered.map((record) => this.hostTargets(record.name, transport, record.port)));
    return perRecord.flat();
  }

  private async hostTargets(host: string, transport: SipTransport, port: number): Promise<SipServerTarget[]> {
    const addresses = await this.addresses(host);
    return addresses.map((address) => ({ transport, address, port }));
  }

  private naptr(name: string): Promise<NaptrRecord[]> {
    return this.cachedQuery('NAPTR', name, () => this.resolver.resolveNaptr(name), () => this.recordTtl);
  }

  private srv(name: string): Promise<SrvRecord[]> {
    return this.cachedQuery('SRV', name, () => this.resolver.resolveSrv(name), () => this.recordTtl);
  }

  private async addresses(host: string): Promise<string[]> {
    const perFamily = await Promise.all(
      this.families.map((family) =>
        family === 4
          ? this.cachedQuery('A', host, () => this.resolver.resolve4(host, { ttl: true }), smallestTtl)
          : this.cachedQuery('AAAA', host, () => this.resolver.resolve6(host, { ttl: true }), smallestTtl),
      ),
    );
    return perFamily.flat().map((record) => record.address);
  }

  /**
   * One DNS question through the cache: positive answers live for `ttlOf(records)`
   * seconds, negative ones for the negative TTL, failures are not remembered.
   */
  private async cachedQuery<T>(type: string, name: string, run: () => Promise<T[]>, ttlOf: (records: T[]) => number): Promise<T[]> {
    const key = `${type}:${name.toLowerCase()}`;
    const cached = this.cache.get(key);
    if (cached) return cached as T[];
    const records = await this.query(name, type, run);
    if (!records) return [];
    this.cache.set(key, records, records.length > 0 ? ttlOf(records) : this.negativeTtl);
    return records;
  }

  /** [] for a negative answer, undefined for a failure that must not be cached. */
  private async query<T>(name: string, type: string, run: () => Promise<T[]>): Promise<T[] | undefined> {
    try {
      return await run();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      if (NEGATIVE_CODES.has(code)) return [];
      this.logger.warn({ name, type, code }, 'DNS query failed');
      return undefined;
    }
  }
}

/**
 * The transport a URI asks for explicitly: undefined when it does not, null when the
 * combination is impossible (sips over UDP, unknown transport).
 */
function explicitTransport(location: UriLocation): SipTransport | undefined | null {
  switch (location.transportParam) {
    case undefined:
      return undefined;
    case 'udp':
      return location.secure ? null : 'udp';
    case 'tcp':
      return location.secure ? 'tls' : 'tcp';
    case 'tls':
      return 'tls';
    default:
      return null;
  }
}

/** A and AAAA answers are kept as long as their shortest-lived record. */
function smallestTtl(records: Array<{ ttl: number }>): number {
  return Math.min(...records.map((record) => record.ttl));
}

function dedupe(targets: SipServerTarget[]): SipServerTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = `${target.transport}|${target.address}|${target.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
