// The registrar for agents' SIP phones (RFC 3261 §10.3): REGISTERs only from the phones'
// allow-list, digest-authenticated against the POP's credentials (SHA-256 challenged
// first, MD5 where the phone's secret allows; RFC 8760), the digest uri equal to the
// Request-URI, every nonce count used once (replayed Authorization headers are refused),
// the user name bound to the To user (the agent), expiry within the POP's bounds,
// bindings in a BindingStore. A source or user name that keeps failing is blocked for a
// while and gets no answer at all.
import type { Logger } from 'pino';
import { AllowList } from '../../engine/allow-list/allow-list.js';
import { parseNameAddr } from '../../engine/messages/headers/name-addr.js';
import { parseSipUri } from '../../engine/messages/headers/sip-uri.js';
import type { PopConfig } from '../../../platform/config/pop-schema.js';
import type { SbcRequest, SbcResponse } from '../srf-types.js';
import { AuthFailureLimiter, type AuthFailureLimits } from './auth-failure-limiter.js';
import type { BindingStore, PhoneBinding } from './binding-store.js';
import { challengeAlgorithms, challengeHeader, parseAuthorization, verifyResponse, type PhoneSecret } from './digest-auth.js';
import { NonceCounts } from './nonce-counts.js';
import type { NonceIssuer } from './nonce-issuer.js';
import { registrationIntent } from './registration-request.js';

/** Why a REGISTER was refused or dropped: the `reason` label of vpop_sbc_registrar_auth_failures_total. */
export type RegistrarRefusal = 'wrong-response' | 'unknown-user' | 'uri-mismatch' | 'replayed' | 'user-mismatch' | 'blocked';

export interface RegistrarObserver {
  refused(reason: RegistrarRefusal): void;
  /** A source address or a user name crossed the failure limit and is blocked now. */
  blocked(kind: 'source' | 'user'): void;
}

/** Default brute-force limits: 5 failures within a minute block the source (and the user name) for 5 minutes. */
const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = { maxFailures: 5, windowMs: 60_000, blockMs: 300_000 };

export interface RegistrarOptions {
  phones: NonNullable<PopConfig['phones']>;
  /** Each phone's password or HA1 hashes, by user name. */
  secrets: ReadonlyMap<string, PhoneSecret>;
  store: BindingStore;
  nonces: NonceIssuer;
  /** How long a nonce is good for (NonceIssuer's lifetime): how long its counts are remembered. */
  nonceLifetimeMs?: number;
  failureLimits?: AuthFailureLimits;
  observer?: RegistrarObserver;
  logger: Logger;
  now?: () => number;
  onChange?: () => void;
}

export class Registrar {
  private readonly allow: AllowList;
  private readonly now: () => number;
  private readonly counts: NonceCounts;
  private readonly failures: AuthFailureLimiter;

  constructor(private readonly options: RegistrarOptions) {
    this.allow = new AllowList(options.phones.allow);
    this.now = options.now ?? Date.now;
    this.counts = new NonceCounts(options.nonceLifetimeMs ?? 300_000);
    this.failures = new AuthFailureLimiter(options.failureLimits ?? DEFAULT_AUTH_FAILURE_LIMITS);
  }

  get usernames(): ReadonlySet<string> {
    return new Set(this.options.secrets.keys());
  }

  /** Live bindings. */
  count(): Promise<number> {
    return this.options.store.count(this.now());
  }

  /** Source addresses and user names blocked now. */
  blockedKeys(): number {
    return this.failures.blocked(this.now());
  }

  /** Where the agent's phone is, if it is registered. */
  lookup(username: string): Promise<PhoneBinding | undefined> {
    return this.options.store.get(username, this.now());
  }

  readonly handle = (req: SbcRequest, res: SbcResponse): void => {
    void this.register(req, res).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'REGISTER failed');
      if (!res.finalResponseSent) res.send(500);
    });
  };

  private challenge(res: SbcResponse, username: string | undefined, stale = false): void {
    const { phones, nonces, secrets } = this.options;
    const nonce = nonces.issue();
    // One WWW-Authenticate line per algorithm, strongest first (RFC 8760 §2.4). drachtio-srf
    // joins repeated values of one header name with a comma, which a challenge cannot take,
    // so the second line is carried in the first value.
    const lines = challengeAlgorithms(username === undefined ? undefined : secrets.get(username))
      .map((algorithm) => challengeHeader(phones.realm, nonce, algorithm, stale));
    res.send(401, { headers: { 'WWW-Authenticate': lines.join('\r\nWWW-Authenticate: ') } });
  }

  /** Counts a failure against the source and the user name; logs and observes what it blocks. */
  private failed(req: SbcRequest, username: string, reason: RegistrarRefusal): void {
    const now = this.now();
    this.options.observer?.refused(reason);
    this.options.logger.info({ reason, source: req.source_address }, 'phone registration refused');
    if (this.failures.fail(`source:${req.source_address}`, now)) {
      this.options.observer?.blocked('source');
      this.options.logger.warn({ source: req.source_address }, 'phone registrations from this source blocked after repeated failures');
    }
    if (this.failures.fail(`user:${username}`, now)) {
      this.options.observer?.blocked('user');
      this.options.logger.warn('registrations of a phone user name blocked after repeated failures');
    }
  }

  private async register(req: SbcRequest, res: SbcResponse): Promise<void> {
    const { phones, secrets, nonces, store, logger } = this.options;
    if (!this.allow.allows(req.source_address)) {
      res.send(403);
      return;
    }
    const now = this.now();
    // A blocked source gets silence: no answer tells a guesser nothing and costs nothing.
    if (this.failures.isBlocked(`source:${req.source_address}`, now)) {
      this.options.observer?.refused('blocked');
      return;
    }
    const agent = userOf(req.get('To'));
    const credentials = parseAuthorization(req.get('Authorization'));
    if (credentials === undefined || credentials.realm !== phones.realm) {
      this.challenge(res, agent);
      return;
    }
    if (this.failures.isBlocked(`user:${credentials.username}`, now)) {
      this.options.observer?.refused('blocked');
      return;
    }
    const nonceState = nonces.check(credentials.nonce);
    if (nonceState !== 'valid') {
      this.challenge(res, agent, nonceState === 'stale');
      return;
    }
    const secret = secrets.get(credentials.username);
    if (secret === undefined) {
      this.failed(req, credentials.username, 'unknown-user');
      res.send(403);
      return;
    }
    if (!sameUri(credentials.uri, req.uri)) {
      this.failed(req, credentials.username, 'uri-mismatch');
      res.send(403);
      return;
    }
    if (!verifyResponse(credentials, 'REGISTER', secret)) {
      this.failed(req, credentials.username, 'wrong-response');
      res.send(403);
      return;
    }
    if (agent === undefined || agent !== credentials.username) {
      this.failed(req, credentials.username, 'user-mismatch');
      res.send(403);
      return;
    }
    // A right answer seen before (same nonce, count not above the last): a replay. The
    // phone itself recovers with the fresh nonce (stale=true); a replayer cannot.
    if (!this.counts.accept(credentials.nonce, credentials.qop === undefined ? undefined : credentials.nc, now)) {
      this.options.observer?.refused('replayed');
      logger.info({ source: req.source_address }, 'replayed phone registration refused');
      this.challenge(res, agent, true);
      return;
    }
    this.failures.succeed(`source:${req.source_address}`);
    this.failures.succeed(`user:${agent}`);
    const intent = registrationIntent(req.get('Contact'), req.get('Expires'), phones.registrationExpirySeconds);
    switch (intent.kind) {
      case 'invalid':
        res.send(400, intent.reason);
        return;
      case 'too-brief':
        res.send(423, { headers: { 'Min-Expires': String(intent.minExpires) } });
        return;
      case 'unbind':
        await store.remove(agent);
        this.options.onChange?.();
        res.send(200);
        return;
      case 'query': {
        const binding = await this.lookup(agent);
        res.send(200, binding ? { headers: { Contact: contactWithExpiry(binding, this.now()) } } : {});
        return;
      }
      case 'bind': {
        const binding: PhoneBinding = {
          username: agent, contact: intent.contact, sourceAddress: req.source_address, sourcePort: Number(req.source_port),
          transport: req.protocol, expiresAt: this.now() + intent.expires * 1000,
        };
        await store.put(binding);
        this.options.onChange?.();
        logger.info({ username: agent, expires: intent.expires }, 'phone registered');
        res.send(200, { headers: { Contact: contactWithExpiry(binding, this.now()), Expires: String(intent.expires) } });
      }
    }
  }
}

function contactWithExpiry(binding: PhoneBinding, now: number): string {
  return `<${binding.contact}>;expires=${Math.max(0, Math.round((binding.expiresAt - now) / 1000))}`;
}

/** The user part of a To/From header's SIP URI (the engine's parsers: a display name never counts). */
export function userOf(header: string | undefined): string | undefined {
  const nameAddr = header === undefined ? undefined : parseNameAddr(header);
  const uri = nameAddr === undefined ? undefined : parseSipUri(nameAddr.uri);
  return uri === undefined || uri.scheme === 'tel' ? undefined : uri.user;
}

/**
 * The digest uri must be the Request-URI (RFC 7616 §3.4.6), so a captured Authorization
 * cannot be sent to another registrar. Compared as SIP URIs (scheme, user, host, port,
 * parameters), so a phone's harmless respelling still matches.
 */
function sameUri(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  const a = parseSipUri(digestUri);
  const b = parseSipUri(requestUri);
  if (a === undefined || b === undefined) return false;
  const params = (uri: typeof a): string => [...uri.params].map(([name, value]) => `${name}=${value ?? ''}`).sort().join(';');
  return a.scheme === b.scheme && a.user === b.user && a.host.toLowerCase() === b.host.toLowerCase()
    && a.port === b.port && params(a) === params(b);
}
