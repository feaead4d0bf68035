// How `vpop engine` turns its inputs into SipEngineOptions: either a POP file
// or drachtio-server's own command-line flags, so scripts written for
// drachtio-server run unchanged. Pure functions (file reading aside, which the
// caller does), tested without sockets.
import { isIP } from 'node:net';
import { AllowList } from './allow-list/allow-list.js';
import type { ListenerConfig, TlsClientOptions, TlsListenerOptions, Transport } from './transport/types.js';
import type { PopConfig, SipListenerConfig } from '../../platform/config/pop-schema.js';
import { engineSecret } from '../../platform/config/pop-secrets.js';
import { isLoopbackAddress } from '../../platform/config/ip-literal.js';
import { parseSipUri } from './messages/headers/sip-uri.js';
import type { SipRequest } from './messages/sip-message.js';
import type { MessageOrigin } from './transport/types.js';
import { scannerDiscardReason } from './request-discard/scanner-discard.js';
import { DEFAULT_OVERLOAD_LIMITS, type OverloadLimits } from './overload/overload-limits.js';

export class EngineOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineOptionsError';
  }
}

/** Sources allowed when `--allow` is not given: loopback only. Never the whole world by default. */
export const DEFAULT_ALLOW = ['127.0.0.0/8', '::1/128'];

/** drachtio-server's flags, as commander hands them over. */
export interface DrachtioFlags {
  contact: string[];
  port?: string;
  address?: string;
  secret?: string;
  certFile?: string;
  keyFile?: string;
  chainFile?: string;
  minTlsVersion?: string;
  externalIp?: string;
  prometheusScrapePort?: string;
  allow: string[];
  /** Messages per second one source may send before it is blocked (0: no limit); the engine's default when unset. */
  sourceRate?: string;
}

export interface EngineRunOptions {
  listeners: ListenerConfig[];
  control: { address: string; port: number; secret: string };
  /** Where /metrics is served; undefined for nowhere. */
  metrics: { address: string; port: number } | undefined;
  limits?: {
    maxMessageBytes: number;
    maxConnections: number;
    maxConnectionsPerAddress: number;
    idleTimeoutMs: number;
  };
  messageLimits?: { maxMessageBytes: number; maxHeaders: number; maxLineBytes: number };
  overload?: OverloadLimits;
  /** How the engine connects out over TLS (the core link's client certificate and CA). */
  tlsClient?: TlsClientOptions;
  /** Requests dropped unanswered before the transaction layer (SipEngineOptions.discardRequest). */
  discardRequest: (request: SipRequest, origin: MessageOrigin) => boolean | string;
  /** `sip.userAgent` from the POP file (SipEngineOptions.userAgent); drachtio-server's flags have no equivalent. */
  userAgent?: string;
}

/** One `--contact` value: `sip:HOST[:PORT][;transport=udp,tcp]` or `sips:HOST[:PORT]` (TLS). `*` binds every IPv4 address. */
export function parseContactFlag(value: string): { transport: Transport; address: string; port: number }[] {
  const match = /^(sips?):(\[[0-9A-Fa-f:.]+\]|[^:;[\]]+)(?::(\d{1,5}))?((?:;[^;]*)*)$/.exec(value.trim());
  if (!match) throw new EngineOptionsError(`--contact '${value}': expected sip:ADDRESS[:PORT][;transport=udp,tcp]`);
  const [, scheme, rawHost, rawPort, rawParams] = match as unknown as [string, string, string, string | undefined, string];
  const host = rawHost === '*' ? '0.0.0.0' : rawHost.replace(/^\[|\]$/g, '');
  let transports: Transport[] = scheme === 'sips' ? ['tls'] : ['udp', 'tcp'];
  for (const param of rawParams.split(';').filter((p) => p !== '')) {
    const [name, paramValue = ''] = param.split('=');
    if (name?.toLowerCase() !== 'transport') continue;
    const listed = paramValue.toLowerCase().split(',').map((t) => t.trim()).filter((t) => t !== '');
    for (const transport of listed) {
      if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') {
        throw new EngineOptionsError(`--contact '${value}': transport '${transport}' is not supported (udp, tcp, tls)`);
      }
    }
    transports = listed as Transport[];
  }
  if (!/^[0-9.]+$/.test(host) && !host.includes(':')) {
    throw new EngineOptionsError(`--contact '${value}': the host must be an IP address (or *), got '${host}'`);
  }
  return transports.map((transport) => {
    const port = rawPort !== undefined ? Number(rawPort) : transport === 'tls' ? 5061 : 5060;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new EngineOptionsError(`--contact '${value}': invalid port`);
    return { transport, address: host, port };
  });
}

/** `9090` or `127.0.0.1:9090` (drachtio-server accepts both); the address defaults to the control address. */
export function parseScrapePort(value: string, defaultAddress: string): { address: string; port: number } {
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) throw new EngineOptionsError(`--prometheus-scrape-port '${value}': expected PORT or ADDRESS:PORT`);
  return { address: match[1]?.replace(/^\[|\]$/g, '') ?? defaultAddress, port };
}

function parsePort(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port < 1 || port > 65535) throw new EngineOptionsError(`${flag} '${value}': expected a port number 1..65535`);
  return port;
}

function allowList(cidrs: readonly string[], what: string): AllowList {
  try {
    return new AllowList(cidrs);
  } catch (error) {
    throw new EngineOptionsError(`${what}: ${(error as Error).message}`);
  }
}

export function optionsFromFlags(flags: DrachtioFlags): EngineRunOptions {
  if (flags.secret === undefined || flags.secret === '') {
    throw new EngineOptionsError('--secret is required (the shared secret drachtio apps authenticate with)');
  }
  if (flags.contact.length === 0) throw new EngineOptionsError("at least one --contact is required, e.g. --contact 'sip:127.0.0.1:5060;transport=udp,tcp'");
  const allow = allowList(flags.allow.length > 0 ? flags.allow : DEFAULT_ALLOW, '--allow');
  let tls: TlsListenerOptions | undefined;
  if (flags.certFile !== undefined || flags.keyFile !== undefined) {
    if (flags.certFile === undefined || flags.keyFile === undefined) throw new EngineOptionsError('--cert-file and --key-file go together');
    const minVersion = flags.minTlsVersion === undefined ? undefined : normaliseTlsVersion(flags.minTlsVersion);
    tls = { certFile: flags.certFile, keyFile: flags.keyFile, ...(flags.chainFile ? { chainFile: flags.chainFile } : {}), ...(minVersion ? { minVersion } : {}) };
  }
  const listeners: ListenerConfig[] = [];
  for (const contact of flags.contact) {
    for (const { transport, address, port } of parseContactFlag(contact)) {
      if (transport === 'tls' && !tls) throw new EngineOptionsError(`--contact '${contact}': a TLS listener needs --cert-file and --key-file`);
      listeners.push({
        name: `${transport}-${address}-${port}`, transport, address, port, allowList: allow,
        ...(flags.externalIp ? { publicAddress: flags.externalIp } : {}),
        ...(transport === 'tls' && tls ? { tls } : {}),
      });
    }
  }
  const controlAddress = flags.address ?? '127.0.0.1';
  return {
    listeners,
    control: { address: controlAddress, port: parsePort(flags.port, '--port', 9022), secret: flags.secret },
    metrics: flags.prometheusScrapePort === undefined ? undefined : parseScrapePort(flags.prometheusScrapePort, controlAddress),
    discardRequest: scannerDiscardReason,
    ...(flags.sourceRate === undefined ? {} : { overload: { ...DEFAULT_OVERLOAD_LIMITS, perSourceMessagesPerSecond: parseSourceRate(flags.sourceRate) } }),
  };
}

function parseSourceRate(value: string): number {
  const rate = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(rate)) throw new EngineOptionsError(`--source-rate '${value}': expected messages per second, a whole number (0: no limit)`);
  return rate;
}

function normaliseTlsVersion(value: string): 'TLSv1.2' | 'TLSv1.3' {
  const v = value.replace(/^tlsv?/i, '');
  if (v === '1.2') return 'TLSv1.2';
  if (v === '1.3') return 'TLSv1.3';
  throw new EngineOptionsError(`--min-tls-version '${value}': expected 1.2 or 1.3 (TLS below 1.2 is not offered)`);
}

/**
 * Who the internal (core) listener admits at the socket: routingCore.allow, else the host
 * of routingCore.sipUri. The allow-lists are checked before any parsing, so the host must
 * be an address, not a name. On a TLS link this is defense in depth: the core is known by
 * its certificate.
 */
export function corePeerCidrs(pop: PopConfig): string[] {
  if (pop.routingCore.allow !== undefined) return [...pop.routingCore.allow];
  const host = parseSipUri(pop.routingCore.sipUri)?.host.replace(/^\[|\]$/g, '');
  const family = host === undefined ? 0 : isIP(host);
  if (family === 0) {
    throw new EngineOptionsError(`routingCore.sipUri ${pop.routingCore.sipUri}: the host must be an IP address, or give routingCore.allow (the engine admits the core at the socket, before any name lookup)`);
  }
  return [`${host}/${family === 4 ? 32 : 128}`];
}

/** The CIDRs a carrier-facing listener admits: the trunks that may use its transport, or the phones. Never the core. */
function listenerCidrs(pop: PopConfig, listener: SipListenerConfig): string[] {
  if (listener.role === 'phones') return [...(pop.phones?.allow ?? [])];
  const cidrs = new Set<string>();
  for (const trunk of pop.trunks) if (trunk.transports.includes(listener.transport)) for (const cidr of trunk.allow) cidrs.add(cidr);
  return [...cidrs];
}

/**
 * A POP file's engine: its carrier listeners, each allowing only the trunks that may use
 * its transport; its phone listeners, allowing only the phones; the internal listener of
 * the routing core (mutual TLS against routingCore.caFile, or plain on loopback), the
 * only one that admits the core. TLS, limits and the control port from the file.
 */
export function optionsFromPop(pop: PopConfig): EngineRunOptions {
  // The one secret reader, shared with the SBC, so both read a secret file the same way.
  const secret = engineSecret(pop);
  const mutualTlsTrunk = pop.trunks.find((trunk) => trunk.clientCert !== undefined);
  const tls: TlsListenerOptions | undefined = pop.tls
    ? {
        certFile: pop.tls.certFile, keyFile: pop.tls.keyFile, minVersion: pop.tls.minVersion,
        ...(pop.tls.chainFile ? { chainFile: pop.tls.chainFile } : {}),
        ...(pop.tls.caFile ? { caFile: pop.tls.caFile } : {}),
        ...(pop.tls.ciphers ? { ciphers: pop.tls.ciphers } : {}),
        ...(pop.tls.requireClientCert ? { verifyClientCert: true } : {}),
        // Trunks identified by certificate need it asked for (and verified against caFile)
        // even where the listener does not require one from everybody.
        ...(mutualTlsTrunk !== undefined ? { requestClientCert: true } : {}),
      }
    : undefined;
  if (mutualTlsTrunk !== undefined && !pop.tls?.caFile) {
    throw new EngineOptionsError(`trunks ${mutualTlsTrunk.name}.clientCert: needs tls.caFile, the CA its client certificate is verified against`);
  }
  const listeners: ListenerConfig[] = pop.sip.listeners.map((listener) => {
    if (listener.transport === 'tls' && !tls) throw new EngineOptionsError(`sip.listeners ${listener.name}: a tls listener needs the tls section`);
    return {
      name: listener.name, transport: listener.transport, address: listener.address, port: listener.port,
      allowList: allowList(listenerCidrs(pop, listener), `allow-list of listener ${listener.name}`),
      ...(listener.publicAddress ? { publicAddress: listener.publicAddress } : {}),
      ...(listener.publicPort ? { publicPort: listener.publicPort } : {}),
      ...(listener.transport === 'tls' && tls ? { tls } : {}),
    };
  });
  const core = coreLink(pop);
  listeners.push(core.listener);
  const limits = pop.sip.limits;
  return {
    listeners,
    control: { address: pop.engine.controlAddress, port: pop.engine.controlPort, secret },
    metrics: pop.engine.metricsPort === undefined ? undefined : { address: pop.engine.controlAddress, port: pop.engine.metricsPort },
    limits: {
      maxMessageBytes: limits.maxMessageBytes, maxConnections: limits.maxConnections,
      maxConnectionsPerAddress: limits.maxConnectionsPerSource, idleTimeoutMs: limits.idleTimeoutSeconds * 1000,
    },
    messageLimits: { maxMessageBytes: limits.maxMessageBytes, maxHeaders: limits.maxHeaders, maxLineBytes: limits.maxLineBytes },
    overload: {
      perSourceMessagesPerSecond: limits.perSourceMessagesPerSecond, blockSeconds: limits.sourceBlockSeconds,
      maxTransactions: limits.maxTransactions, maxDialogs: limits.maxDialogs, retryAfterSeconds: limits.overloadRetryAfterSeconds,
    },
    discardRequest: scannerDiscardReason,
    ...(core.tlsClient ? { tlsClient: core.tlsClient } : {}),
    ...(pop.sip.userAgent !== undefined ? { userAgent: pop.sip.userAgent } : {}),
  };
}

/**
 * The edge's side of the link to the routing core: its internal listener and, on a TLS
 * link, how the engine connects out (its POP certificate as client certificate; the POP
 * CA trusted beside the system roots, so carriers' gateways still verify).
 */
function coreLink(pop: PopConfig): { listener: ListenerConfig; tlsClient?: TlsClientOptions } {
  const core = pop.routingCore;
  const listener = core.listener;
  if (!listener) throw new EngineOptionsError('routingCore.listener is missing: the core reaches the edge only through its own internal listener');
  const base = {
    name: listener.name, transport: listener.transport, address: listener.address, port: listener.port,
    allowList: allowList(corePeerCidrs(pop), 'allow-list of the core listener'),
  };
  if (listener.transport !== 'tls') {
    if (!isLoopbackAddress(listener.address)) {
      throw new EngineOptionsError(`routingCore.listener: a ${listener.transport} core listener is allowed only on loopback; use tls on ${listener.address}`);
    }
    return { listener: base };
  }
  if (!pop.tls || core.caFile === undefined || core.certificate === undefined) {
    throw new EngineOptionsError('routingCore.listener: a tls core listener needs the tls section, routingCore.caFile and routingCore.certificate');
  }
  return {
    listener: {
      ...base,
      tls: {
        certFile: pop.tls.certFile, keyFile: pop.tls.keyFile, minVersion: 'TLSv1.2', caFile: core.caFile, verifyClientCert: true,
        ...(pop.tls.chainFile ? { chainFile: pop.tls.chainFile } : {}),
      },
    },
    tlsClient: { certFile: pop.tls.certFile, keyFile: pop.tls.keyFile, caFile: core.caFile, trustSystemRoots: true },
  };
}

/**
 * The core's side of the link, for a core engine started from the POP file (the stand-in
 * core; the routing core): its listener at routingCore.sipUri, admitting the edge's
 * addresses and, on a TLS link, only clients whose certificate chains to the POP CA; and
 * its own certificate as TLS client toward the edge's internal listener.
 */
export function coreEngineLink(pop: PopConfig): { listener: ListenerConfig; tlsClient?: TlsClientOptions } {
  const core = pop.routingCore;
  const uri = parseSipUri(core.sipUri);
  const host = uri?.host.replace(/^\[|\]$/g, '');
  if (uri === undefined || host === undefined || isIP(host) === 0) {
    throw new EngineOptionsError(`routingCore.sipUri ${core.sipUri}: the core binds its host, which must be an IP address`);
  }
  const named = uri.params.get('transport')?.toLowerCase();
  const transport: Transport = uri.scheme === 'sips' || named === 'tls' ? 'tls' : named === 'tcp' ? 'tcp' : 'udp';
  const port = uri.port ?? (transport === 'tls' ? 5061 : 5060);
  // The edge connects from the address the kernel picks toward the core: its listeners' and the core listener's.
  const edgeAddresses = new Set([...pop.sip.listeners.map((l) => l.address), ...(core.listener ? [core.listener.address] : [])]);
  const allow = allowList([...edgeAddresses].map((address) => `${address}/${isIP(address) === 4 ? 32 : 128}`), 'allow-list of the core');
  const base = { name: 'core-link', transport, address: host, port, allowList: allow };
  if (transport !== 'tls') return { listener: base };
  if (core.certFile === undefined || core.keyFile === undefined || core.caFile === undefined) {
    throw new EngineOptionsError('routingCore: a core on a TLS link needs certFile, keyFile (its own certificate) and caFile (the POP CA)');
  }
  return {
    listener: { ...base, tls: { certFile: core.certFile, keyFile: core.keyFile, caFile: core.caFile, verifyClientCert: true, minVersion: 'TLSv1.2' } },
    tlsClient: { certFile: core.certFile, keyFile: core.keyFile, caFile: core.caFile },
  };
}
