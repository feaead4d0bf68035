// HTTP Digest for SIP REGISTER (RFC 3261 §22, RFC 7616, RFC 8760): the challenge, the
// parsing of an Authorization header, and the check of its response, in constant time.
// MD5 and SHA-256, qop=auth (and RFC 2069 style without qop, which RFC 3261 clients may
// still send). A phone's secret is its password or its HA1 hash per algorithm (so the POP
// file need not hold the password). Pure.
import { createHash, timingSafeEqual } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  qop?: string;
  nc?: string;
  cnonce?: string;
  opaque?: string;
}

export function challengeHeader(realm: string, nonce: string, algorithm: DigestAlgorithm, stale = false): string {
  return `Digest realm="${realm}", nonce="${nonce}", algorithm=${algorithm}, qop="auth"${stale ? ', stale=true' : ''}`;
}

/** Parameters of a Digest Authorization header; undefined when it is not Digest or lacks a field. */
export function parseAuthorization(header: string | undefined): DigestCredentials | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!match) return undefined;
  const params = new Map<string, string>();
  const pattern = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const part of match[1]!.matchAll(pattern)) {
    params.set(part[1]!.toLowerCase(), part[2] !== undefined ? part[2].replace(/\\(.)/g, '$1') : part[3]!);
  }
  const username = params.get('username');
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  const uri = params.get('uri');
  const response = params.get('response');
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) return undefined;
  const algorithmText = (params.get('algorithm') ?? 'MD5').toUpperCase();
  if (algorithmText !== 'MD5' && algorithmText !== 'SHA-256') return undefined;
  return {
    username, realm, nonce, uri, response, algorithm: algorithmText,
    ...optional('qop', params.get('qop')), ...optional('nc', params.get('nc')),
    ...optional('cnonce', params.get('cnonce')), ...optional('opaque', params.get('opaque')),
  };
}

/** What the registrar knows of a phone: its password, or HA1 = H(username:realm:password) per algorithm. */
export interface PhoneSecret {
  password?: string;
  ha1Md5?: string;
  ha1Sha256?: string;
  /** What to offer this phone, in order; default SHA-256 then MD5. */
  algorithms?: readonly DigestAlgorithm[];
}

function digestHash(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text).digest('hex');
}

/** HA1 of `username:realm:password` (RFC 7616 §3.4.2): what `ha1Md5` / `ha1Sha256` in a POP file hold. */
export function digestHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

/** The algorithms a secret can answer, strongest first (RFC 8760: SHA-256, then MD5 for phones that need it). */
export function challengeAlgorithms(secret: PhoneSecret | undefined): DigestAlgorithm[] {
  const wanted = secret?.algorithms ?? ['SHA-256', 'MD5'];
  if (secret === undefined || secret.password !== undefined) return [...wanted];
  return wanted.filter((algorithm) => (algorithm === 'MD5' ? secret.ha1Md5 : secret.ha1Sha256) !== undefined);
}

function ha1Of(secret: PhoneSecret, credentials: Pick<DigestCredentials, 'algorithm' | 'username' | 'realm'>): string | undefined {
  if (secret.password !== undefined) return digestHa1(credentials.algorithm, credentials.username, credentials.realm, secret.password);
  return (credentials.algorithm === 'MD5' ? secret.ha1Md5 : secret.ha1Sha256)?.toLowerCase();
}

function responseFromHa1(credentials: Omit<DigestCredentials, 'response'>, method: string, ha1: string): string {
  const ha2 = digestHash(credentials.algorithm, `${method}:${credentials.uri}`);
  if (credentials.qop === 'auth') {
    return digestHash(credentials.algorithm, `${ha1}:${credentials.nonce}:${credentials.nc ?? ''}:${credentials.cnonce ?? ''}:auth:${ha2}`);
  }
  return digestHash(credentials.algorithm, `${ha1}:${credentials.nonce}:${ha2}`);
}

/** The response value a client with this password would send. */
export function expectedResponse(credentials: Omit<DigestCredentials, 'response'>, method: string, password: string): string {
  return responseFromHa1(credentials, method, digestHa1(credentials.algorithm, credentials.username, credentials.realm, password));
}

/** True when the response is right for this secret; compared in constant time. */
export function verifyResponse(credentials: DigestCredentials, method: string, secret: PhoneSecret | string): boolean {
  if (credentials.qop !== undefined && credentials.qop !== 'auth') return false;
  const ha1 = ha1Of(typeof secret === 'string' ? { password: secret } : secret, credentials);
  if (ha1 === undefined) return false;
  // Only what this phone is offered: a phone set to MD5 cannot be answered with another algorithm, nor the reverse.
  if (typeof secret !== 'string' && secret.algorithms !== undefined && !secret.algorithms.includes(credentials.algorithm)) return false;
  const expected = Buffer.from(responseFromHa1(credentials, method, ha1));
  const given = Buffer.from(credentials.response.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
