// The registrar for agents' SIP phones (RFC 3261 §10.3): REGISTERs only from the phones'
// allow-list, digest-authenticated against the POP's credentials, the user name bound to
// the To user (the agent), expiry within the POP's bounds, bindings in a BindingStore.
import type { Logger } from 'pino';
import { AllowList } from '../../engine/allow-list/allow-list.js';
import type { PopConfig } from '../../../platform/config/pop-schema.js';
import type { SbcRequest, SbcResponse } from '../srf-types.js';
import type { BindingStore, PhoneBinding } from './binding-store.js';
import { challengeHeader, parseAuthorization, verifyResponse } from './digest-auth.js';
import type { NonceIssuer } from './nonce-issuer.js';
import { registrationIntent } from './registration-request.js';

export interface RegistrarOptions {
  phones: NonNullable<PopConfig['phones']>;
  passwords: ReadonlyMap<string, string>;
  store: BindingStore;
  nonces: NonceIssuer;
  logger: Logger;
  now?: () => number;
  onChange?: () => void;
}

export class Registrar {
  private readonly allow: AllowList;
  private readonly now: () => number;

  constructor(private readonly options: RegistrarOptions) {
    this.allow = new AllowList(options.phones.allow);
    this.now = options.now ?? Date.now;
  }

  get usernames(): ReadonlySet<string> {
    return new Set(this.options.passwords.keys());
  }

  /** Live bindings. */
  count(): Promise<number> {
    return this.options.store.count(this.now());
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

  private async register(req: SbcRequest, res: SbcResponse): Promise<void> {
    const { phones, passwords, nonces, store, logger } = this.options;
    if (!this.allow.allows(req.source_address)) {
      res.send(403);
      return;
    }
    const credentials = parseAuthorization(req.get('Authorization'));
    if (credentials === undefined || credentials.realm !== phones.realm) {
      res.send(401, { headers: { 'WWW-Authenticate': challengeHeader(phones.realm, nonces.issue(), 'MD5') } });
      return;
    }
    const nonceState = nonces.check(credentials.nonce);
    if (nonceState !== 'valid') {
      res.send(401, { headers: { 'WWW-Authenticate': challengeHeader(phones.realm, nonces.issue(), credentials.algorithm, nonceState === 'stale') } });
      return;
    }
    const password = passwords.get(credentials.username);
    const agent = userOf(req.get('To'));
    if (password === undefined || !verifyResponse(credentials, 'REGISTER', password) || agent !== credentials.username) {
      logger.info({ username: credentials.username, source: req.source_address }, 'phone registration refused');
      res.send(403);
      return;
    }
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

/** The user part of a To/From header's URI. */
export function userOf(header: string | undefined): string | undefined {
  return /sips?:([^@;>]+)@/i.exec(header ?? '')?.[1];
}
