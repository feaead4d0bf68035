// Replay protection for digest nonces (RFC 7616 §3.4.5 / RFC 2617 §3.2.2): the nonce count
// a phone sends with a nonce must grow on every request, so a captured Authorization
// header cannot be sent again. Without qop there is no count, and the nonce is good for
// one request only. Only nonces that carried a correct response are remembered, so a flood
// of wrong answers costs nothing here, and entries leave when their nonce goes stale.

export class NonceCounts {
  private readonly highest = new Map<string, { nc: number; expiresAt: number }>();

  constructor(private readonly lifetimeMs: number, private readonly maxEntries = 100_000) {}

  /**
   * Records a correctly answered nonce and its count (hex, as sent; undefined without
   * qop); false when this count (or, without qop, this nonce) was used before.
   */
  accept(nonce: string, ncHex: string | undefined, now: number): boolean {
    const entry = this.highest.get(nonce);
    const seen = entry !== undefined && entry.expiresAt > now ? entry : undefined;
    let nc = Number.POSITIVE_INFINITY;
    if (ncHex === undefined) {
      if (seen !== undefined) return false;
    } else {
      if (!/^[0-9a-fA-F]{8}$/.test(ncHex)) return false;
      nc = Number.parseInt(ncHex, 16);
      if (nc < 1 || (seen !== undefined && nc <= seen.nc)) return false;
    }
    if (seen === undefined && this.highest.size >= this.maxEntries) {
      this.forgetExpired(now);
      // Still full of live nonces: refuse rather than forget one that might be replayed.
      if (this.highest.size >= this.maxEntries) return false;
    }
    this.highest.set(nonce, { nc, expiresAt: seen?.expiresAt ?? now + this.lifetimeMs });
    return true;
  }

  get size(): number {
    return this.highest.size;
  }

  private forgetExpired(now: number): void {
    for (const [nonce, entry] of this.highest) if (entry.expiresAt <= now) this.highest.delete(nonce);
  }
}
