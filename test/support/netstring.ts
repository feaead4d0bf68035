/**
 * Netstrings (`<length>:<payload>,`), the framing of baresip's ctrl_tcp module. The decoder
 * is incremental: feed it whatever a socket read returned and it yields every complete payload.
 */

export function encodeNetstring(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`, 'ascii'), body, Buffer.from(',', 'ascii')]);
}

/** Longest length prefix accepted; a peer sending more digits is not speaking netstrings. */
const MAX_LENGTH_DIGITS = 9;

export class NetstringDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** Appends bytes and returns the payloads completed by them; throws on malformed framing. */
  push(chunk: Buffer): string[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const payloads: string[] = [];
    while (this.pending.length > 0) {
      const colon = this.pending.indexOf(0x3a);
      if (colon < 0) {
        if (this.pending.length > MAX_LENGTH_DIGITS) throw new Error('netstring length prefix too long');
        break;
      }
      const prefix = this.pending.subarray(0, colon).toString('ascii');
      if (!/^\d{1,9}$/.test(prefix)) throw new Error(`bad netstring length prefix ${JSON.stringify(prefix)}`);
      const length = Number(prefix);
      const end = colon + 1 + length;
      if (this.pending.length < end + 1) break;
      if (this.pending[end] !== 0x2c) throw new Error('netstring not terminated by a comma');
      payloads.push(this.pending.subarray(colon + 1, end).toString('utf8'));
      this.pending = this.pending.subarray(end + 1);
    }
    return payloads;
  }
}
