// How `vpop engine` turns its inputs into SipEngineOptions: either a POP file
// or drachtio-server's own command-line flags, so scripts written for
// drachtio-server run unchanged. Pure functions (file reading aside, which the
// caller does), tested without sockets.
import { isIP } from 'node:net';
import { AllowList } from './allow-list/allow-list.js';
import type { ListenerConfig, TlsListenerOptions, Transport } from './transport/types.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { engineSecret } from '../../platform/config/pop-secrets.js';
import type { SipRequest } from './messages/sip-message.js';
import type { MessageOrigin } from './transport/types.js';
import { scannerDiscardReason } from './request-discard/scanner-discard.js';
import type { OverloadLimits } from './overload/overload-limits.js';

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
  /** Requests dropped unanswered before the transaction layer (SipEngineOptions.discardRequest). */
  discardRequest: (request: SipRequest, origin: MessageOrigin) => boolean | string;
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
  };
}

function normaliseTlsVersion(value: string): 'TLSv1.2' | 'TLSv1.3' {
  const v = value.replace(/^tlsv?/i, '');
  if (v === '1.2') return 'TLSv1.2';
  if (v === '1.3') return 'TLSv1.3';
  throw new EngineOptionsError(`--min-tls-version '${value}': expected 1.2 or 1.3 (TLS below 1.2 is not offered)`);
}

/**
 * The POP's inside peers that send SIP to the engine, as CIDRs: the routing core (the
 * host of routingCore.sipUri), which answers the edge's legs and sends its own requests
 * (outbound legs, in-dialog BYEs), on whichever transport its URI names. The allow-lists
 * are checked at the socket, so the host must be an address, not a name.
 */
export function insidePeerCidrs(pop: PopConfig): string[] {
  const host = /^sips?:(?:[^@;>]*@)?(\[[^\]]+\]|[^:;>?]+)/i.exec(pop.routingCore.sipUri)?.[1]?.replace(/^\[|\]$/g, '');
  const family = host === undefined ? 0 : isIP(host);
  if (family === 0) {
    throw new EngineOptionsError(`routingCore.sipUri ${pop.routingCore.sipUri}: the host must be an IP address (the engine admits the core at the socket, before any name lookup)`);
  }
  return [`${host}/${family === 4 ? 32 : 128}`];
}

/**
 * A POP file's engine: its listeners, each allowing the trunks that may use its
 * transport, the phones and the inside peers (routing core); TLS, limits and the
 * control port from the file.
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
  const insidePeers = insidePeerCidrs(pop);
  const listeners: ListenerConfig[] = pop.sip.listeners.map((listener) => {
    const cidrs = new Set<string>();
    for (const trunk of pop.trunks) if (trunk.transports.includes(listener.transport)) for (const cidr of trunk.allow) cidrs.add(cidr);
    for (const cidr of pop.phones?.allow ?? []) cidrs.add(cidr);
    for (const cidr of insidePeers) cidrs.add(cidr);
    if (listener.transport === 'tls' && !tls) throw new EngineOptionsError(`sip.listeners ${listener.name}: a tls listener needs the tls section`);
    return {
      name: listener.name, transport: listener.transport, address: listener.address, port: listener.port,
      allowList: allowList([...cidrs], `allow-list of listener ${listener.name}`),
      ...(listener.publicAddress ? { publicAddress: listener.publicAddress } : {}),
      ...(listener.publicPort ? { publicPort: listener.publicPort } : {}),
      ...(listener.transport === 'tls' && tls ? { tls } : {}),
    };
  });
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
  };
}
