// The transport layer's public vocabulary: what a listener is, where a message
// came from, where one goes, and the limits that keep a flood from sinking us.
import type { AllowList } from '../allow-list/allow-list.js';

export type Transport = 'udp' | 'tcp' | 'tls';
export type StreamTransport = Exclude<Transport, 'udp'>;

/** TLS settings of one listener. Files are PEM. */
export interface TlsListenerOptions {
  certFile: string;
  keyFile: string;
  /** Intermediate certificates sent after the leaf. */
  chainFile?: string;
  /** CA bundle that client certificates must chain to (when verifying them). */
  caFile?: string;
  /** Never lower than TLS 1.2. Default TLSv1.2. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list for TLS <= 1.2. Default: Node's. */
  ciphers?: string;
  /** Ask the client for a certificate; it is exposed with each message as peerCertificate. */
  requestClientCert?: boolean;
  /** Close connections whose client certificate is missing or does not chain to caFile. Implies requestClientCert. */
  verifyClientCert?: boolean;
}

export interface ListenerConfig {
  /** Unique; used in metrics, logs and MessageOrigin.listenerName. */
  name: string;
  transport: Transport;
  /** Bind address: a v4 or v6 literal (0.0.0.0 / :: for all). */
  address: string;
  /** 0 picks a free port; boundListeners() reports it. */
  port: number;
  /** Address to advertise in Via/Contact instead of the bound one (topology hiding, NAT). */
  publicAddress?: string;
  publicPort?: number;
  allowList: AllowList;
  /** Required when transport is 'tls'. */
  tls?: TlsListenerOptions;
}

/** How we connect out over TLS (to carriers' TLS listeners). */
export interface TlsClientOptions {
  /** Trust only this CA bundle; default Node's root store. */
  caFile?: string;
  /** With caFile: trust Node's root store as well (the POP CA for the core link, public CAs for carriers). */
  trustSystemRoots?: boolean;
  /** Client certificate for mutual TLS. */
  certFile?: string;
  keyFile?: string;
  /** Verify the server's certificate and name. Default true. */
  verifyServer?: boolean;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
}

export interface TransportLimits {
  /** Largest SIP message accepted on a stream. Default 65535. */
  maxMessageBytes?: number;
  /** Largest header section on a stream. Default 16384. */
  maxHeaderBytes?: number;
  /** Larger datagrams are dropped. Default 65507. */
  maxDatagramBytes?: number;
  /** Inbound TCP+TLS connections across all listeners. Default 10000. */
  maxConnections?: number;
  /** Inbound TCP+TLS connections from one source address. Default 256. */
  maxConnectionsPerAddress?: number;
  /** A connection with no traffic either way for this long is closed. Default 900000 (15 min). */
  idleTimeoutMs?: number;
  /** Bytes queued for sending on one connection before it is closed as stuck. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** A TLS handshake must finish within this. Default 10000. */
  tlsHandshakeTimeoutMs?: number;
  /** Outbound TCP/TLS connect (and handshake) timeout. Default 5000. */
  connectTimeoutMs?: number;
  /** SO_RCVBUF asked for on UDP sockets, to ride out bursts (the kernel caps it at net.core.rmem_max). Default 4 MiB. */
  udpReceiveBufferBytes?: number;
  /** SO_SNDBUF asked for on UDP sockets, so bursts of responses/retransmissions are not refused (capped at net.core.wmem_max). Default 4 MiB. */
  udpSendBufferBytes?: number;
}

export type ResolvedTransportLimits = Required<TransportLimits>;

const DEFAULT_TRANSPORT_LIMITS: ResolvedTransportLimits = Object.freeze({
  maxMessageBytes: 65535,
  maxHeaderBytes: 16384,
  maxDatagramBytes: 65507,
  maxConnections: 10000,
  maxConnectionsPerAddress: 256,
  idleTimeoutMs: 900_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  tlsHandshakeTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  udpReceiveBufferBytes: 4 * 1024 * 1024,
  udpSendBufferBytes: 4 * 1024 * 1024,
});

export function resolveTransportLimits(limits: TransportLimits = {}): ResolvedTransportLimits {
  const resolved = { ...DEFAULT_TRANSPORT_LIMITS };
  for (const key of Object.keys(DEFAULT_TRANSPORT_LIMITS) as (keyof ResolvedTransportLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`transport limit ${key} must be a positive number, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

/** The client certificate of a TLS peer, for identifying trunks by certificate. */
export interface PeerCertificate {
  /** SHA-256 fingerprint, upper-case hex pairs joined by colons (Node's format). */
  fingerprint256: string;
  /** Subject DN, one RDN per line (X509Certificate.subject). */
  subject: string;
  subjectAltName?: string;
  issuer: string;
  /** The certificate chains to the listener's CA (socket.authorized), whether or not the listener requires it. */
  verified?: boolean;
}

/** Where a received message came from. Shared by all messages of one connection: do not mutate. */
export interface MessageOrigin {
  readonly transport: Transport;
  /** IPv4-mapped v6 peers are reported as plain v4. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly listenerName: string;
  /** Set for TCP/TLS; pass it back in SendTarget to answer on the same connection. */
  readonly connectionId?: string;
  readonly peerCertificate?: PeerCertificate;
}

export interface SendTarget {
  transport: Transport;
  address: string;
  port: number;
  /** Use this connection while it is open (responses, RFC 3261 §18.2.2). */
  connectionId?: string;
  /** TLS SNI and the name checked against the server certificate. Default: address. */
  servername?: string;
  /** UDP: send from this listener's socket (default: the first of the target's address family). */
  listenerName?: string;
}

/** A bound listener and what to advertise for it (Via sent-by, Contact). */
export interface ListenerInfo {
  name: string;
  transport: Transport;
  address: string;
  port: number;
  family: 4 | 6;
  publicAddress?: string;
  publicPort?: number;
  /** publicAddress ?? address (a wildcard bind is reported as is; configure publicAddress for it). */
  sentByAddress: string;
  sentByPort: number;
}

export type MessageHandler = (raw: Buffer, origin: MessageOrigin) => void;
