// TLS settings: reading certificate files into secure-context options for our
// listeners and outbound connections, and classifying handshake failures into a
// small, bounded set of metric labels.
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import type { TlsClientOptions, TlsListenerOptions } from './types.js';

const ALLOWED_MIN_VERSIONS = new Set(['TLSv1.2', 'TLSv1.3']);

export class TlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsConfigError';
  }
}

async function readPem(owner: string, field: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new TlsConfigError(`${owner}: cannot read ${field} ${path}: ${(error as Error).message}`);
  }
}

function checkedMinVersion(owner: string, minVersion: string | undefined): tls.SecureVersion {
  const version = minVersion ?? 'TLSv1.2';
  if (!ALLOWED_MIN_VERSIONS.has(version)) {
    throw new TlsConfigError(`${owner}: minVersion must be TLSv1.2 or TLSv1.3, got ${version}`);
  }
  return version as tls.SecureVersion;
}

/** Secure-context options for a listener, read from its files; validated by building a context once. */
export async function loadListenerTlsOptions(listenerName: string, options: TlsListenerOptions): Promise<tls.SecureContextOptions> {
  const owner = `TLS listener '${listenerName}'`;
  const [cert, key, chain, ca] = await Promise.all([
    readPem(owner, 'certFile', options.certFile),
    readPem(owner, 'keyFile', options.keyFile),
    options.chainFile ? readPem(owner, 'chainFile', options.chainFile) : undefined,
    options.caFile ? readPem(owner, 'caFile', options.caFile) : undefined,
  ]);
  const contextOptions: tls.SecureContextOptions = {
    // Leaf first, then the chain, as one PEM bundle.
    cert: chain ? Buffer.concat([cert, Buffer.from('\n'), chain]) : cert,
    key,
    minVersion: checkedMinVersion(owner, options.minVersion),
  };
  if (ca) contextOptions.ca = ca;
  if (options.ciphers) contextOptions.ciphers = options.ciphers;
  if (options.verifyClientCert && !options.caFile) {
    throw new TlsConfigError(`${owner}: verifyClientCert needs caFile (the CA that client certificates chain to)`);
  }
  try {
    tls.createSecureContext(contextOptions);
  } catch (error) {
    throw new TlsConfigError(`${owner}: certificate/key rejected: ${(error as Error).message}`);
  }
  return contextOptions;
}

/** Connection options (minus host/port/servername) for outbound TLS. */
export async function loadClientTlsOptions(options: TlsClientOptions = {}): Promise<tls.ConnectionOptions> {
  const owner = 'TLS client';
  const [ca, cert, key] = await Promise.all([
    options.caFile ? readPem(owner, 'caFile', options.caFile) : undefined,
    options.certFile ? readPem(owner, 'certFile', options.certFile) : undefined,
    options.keyFile ? readPem(owner, 'keyFile', options.keyFile) : undefined,
  ]);
  if (Boolean(cert) !== Boolean(key)) throw new TlsConfigError(`${owner}: certFile and keyFile go together`);
  const connection: tls.ConnectionOptions = {
    minVersion: checkedMinVersion(owner, options.minVersion),
    rejectUnauthorized: options.verifyServer ?? true,
  };
  if (ca) connection.ca = options.trustSystemRoots ? [...tls.rootCertificates, ca.toString('utf8')] : ca;
  if (cert && key) {
    connection.cert = cert;
    connection.key = key;
  }
  if (options.ciphers) connection.ciphers = options.ciphers;
  return connection;
}

export type TlsFailureReason =
  | 'protocol-version'
  | 'no-shared-cipher'
  | 'not-tls'
  | 'no-client-certificate'
  | 'client-certificate-untrusted'
  | 'client-certificate-expired'
  | 'timeout'
  | 'peer-closed'
  | 'other';

/** Maps an OpenSSL/Node error code (or X509 verify code) to a metric label. */
export function classifyTlsFailure(code: string | undefined, message = ''): TlsFailureReason {
  const text = `${code ?? ''} ${message}`.toUpperCase();
  if (text.includes('PROTOCOL_VERSION') || text.includes('UNSUPPORTED_PROTOCOL') || text.includes('VERSION_TOO_LOW')) {
    return 'protocol-version';
  }
  if (text.includes('NO_SHARED_CIPHER') || text.includes('NO_CIPHERS')) return 'no-shared-cipher';
  if (text.includes('WRONG_VERSION_NUMBER') || text.includes('HTTP_REQUEST') || text.includes('UNKNOWN_PROTOCOL')) {
    return 'not-tls';
  }
  if (text.includes('DID_NOT_RETURN_A_CERTIFICATE') || text.includes('NO_CLIENT_CERTIFICATE')) return 'no-client-certificate';
  if (text.includes('CERT_HAS_EXPIRED') || text.includes('CERT_NOT_YET_VALID')) return 'client-certificate-expired';
  if (
    text.includes('UNABLE_TO_') ||
    text.includes('SELF_SIGNED') ||
    text.includes('CERT_') ||
    text.includes('CERTIFICATE_VERIFY_FAILED')
  ) {
    return 'client-certificate-untrusted';
  }
  if (text.includes('HANDSHAKE_TIMEOUT')) return 'timeout';
  if (text.includes('ECONNRESET') || text.includes('EPIPE') || text.includes('DISCONNECTED')) return 'peer-closed';
  return 'other';
}
