// Bearer tokens for the API (jose: a maintained, dependency-free JOSE implementation).
// Local users get a short-lived access token and a longer refresh token, both HS256 JWTs
// signed with the core's secret; tokens from an external OpenID Connect issuer are
// accepted as an option, verified against its JWKS.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

export interface TokenSettings {
  secret: Uint8Array;
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
  oidc?: { issuer: string; jwksUrl: string; audience: string; loginClaim: string };
}

export interface TokenIdentity {
  /** Local user id, or (OIDC) the login name to find the user by. */
  userId?: string;
  login?: string;
}

export class TokenRefused extends Error {}

const ISSUER = 'vpop-core';

export function tokenSecret(file: string | undefined): Uint8Array {
  if (!file) return randomBytes(32);
  const text = readFileSync(file, 'utf8').trim();
  if (text.length < 32) throw new Error(`${file}: the token secret must be at least 32 characters`);
  return new TextEncoder().encode(text);
}

export class TokenService {
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: TokenSettings) {
    if (settings.oidc) this.jwks = createRemoteJWKSet(new URL(settings.oidc.jwksUrl));
  }

  async issue(userId: string): Promise<{ accessToken: string; refreshToken: string; tokenType: 'Bearer'; expiresIn: number }> {
    const sign = (use: 'access' | 'refresh', seconds: number) =>
      new SignJWT({ use }).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuer(ISSUER).setIssuedAt()
        .setJti(randomBytes(9).toString('base64url')).setExpirationTime(`${seconds}s`).sign(this.settings.secret);
    return {
      accessToken: await sign('access', this.settings.accessTokenSeconds),
      refreshToken: await sign('refresh', this.settings.refreshTokenSeconds),
      tokenType: 'Bearer',
      expiresIn: this.settings.accessTokenSeconds,
    };
  }

  /** The identity an access token proves; throws TokenRefused with the reason. */
  async verifyAccess(token: string): Promise<TokenIdentity> {
    const header = decodeHeader(token);
    if (header?.alg === 'HS256') return { userId: await this.verifyLocal(token, 'access') };
    if (!this.jwks || !this.settings.oidc) throw new TokenRefused('token not signed by this core');
    try {
      const { payload } = await jwtVerify(token, this.jwks, { issuer: this.settings.oidc.issuer, audience: this.settings.oidc.audience });
      const login = payload[this.settings.oidc.loginClaim];
      if (typeof login !== 'string') throw new TokenRefused(`token has no ${this.settings.oidc.loginClaim} claim`);
      return { login };
    } catch (error) {
      throw refusal(error);
    }
  }

  async verifyRefresh(token: string): Promise<string> {
    return this.verifyLocal(token, 'refresh');
  }

  private async verifyLocal(token: string, use: 'access' | 'refresh'): Promise<string> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.settings.secret, { issuer: ISSUER, algorithms: ['HS256'] }));
    } catch (error) {
      throw refusal(error);
    }
    if (payload.use !== use) throw new TokenRefused(`a ${String(payload.use)} token cannot be used as a ${use} token`);
    if (!payload.sub) throw new TokenRefused('token has no subject');
    return payload.sub;
  }
}

function decodeHeader(token: string): { alg?: string } | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: string };
  } catch {
    return undefined;
  }
}

function refusal(error: unknown): TokenRefused {
  if (error instanceof TokenRefused) return error;
  if (error instanceof errors.JWTExpired) return new TokenRefused('token expired');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenRefused('token signature does not verify');
  if (error instanceof errors.JWTClaimValidationFailed) return new TokenRefused(`token claim ${error.claim} is not acceptable`);
  return new TokenRefused(`token not accepted (${(error as Error).message})`);
}
