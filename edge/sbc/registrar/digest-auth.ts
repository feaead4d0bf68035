// HTTP Digest for SIP REGISTER (RFC 3261 §22, RFC 7616): the challenge, the parsing of
// an Authorization header, and the check of its response. MD5 and SHA-256, qop=auth
// (and RFC 2069 style without qop, which RFC 3261 clients may still send). Pure.
import { createHash } from 'node:crypto';

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

/** The response value a client with this password would send. */
export function expectedResponse(credentials: Omit<DigestCredentials, 'response'>, method: string, password: string): string {
  const hash = (text: string) => createHash(credentials.algorithm === 'MD5' ? 'md5' : 'sha256').update(text).digest('hex');
  const ha1 = hash(`${credentials.username}:${credentials.realm}:${password}`);
  const ha2 = hash(`${method}:${credentials.uri}`);
  if (credentials.qop === 'auth') {
    return hash(`${ha1}:${credentials.nonce}:${credentials.nc ?? ''}:${credentials.cnonce ?? ''}:auth:${ha2}`);
  }
  return hash(`${ha1}:${credentials.nonce}:${ha2}`);
}

export function verifyResponse(credentials: DigestCredentials, method: string, password: string): boolean {
  if (credentials.qop !== undefined && credentials.qop !== 'auth') return false;
  return expectedResponse(credentials, method, password) === credentials.response.toLowerCase();
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
