// Stateless digest nonces: issue time plus an HMAC over it with a per-process key. A
// nonce verifies without a table (so REGISTER floods cost no memory) and goes stale
// after its lifetime.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type NonceCheck = 'valid' | 'stale' | 'invalid';

export class NonceIssuer {
  private readonly key: Buffer;

  constructor(private readonly lifetimeMs = 300_000, private readonly now: () => number = Date.now, key?: Buffer) {
    this.key = key ?? randomBytes(32);
  }

  issue(): string {
    const issued = this.now().toString(36);
    return `${issued}.${this.mac(issued)}`;
  }

  check(nonce: string): NonceCheck {
    const [issued, mac] = nonce.split('.');
    if (issued === undefined || mac === undefined) return 'invalid';
    const expected = Buffer.from(this.mac(issued));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    const age = this.now() - parseInt(issued, 36);
    return age >= 0 && age <= this.lifetimeMs ? 'valid' : 'stale';
  }

  private mac(issued: string): string {
    return createHmac('sha256', this.key).update(issued).digest('base64url').slice(0, 22);
  }
}
