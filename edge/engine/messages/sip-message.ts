// The in-memory model of a SIP message (RFC 3261 §7). Parsing lives in
// parse-message.ts, serialisation in serialize-message.ts; grammar for single
// header values (Via, name-addr, URI, CSeq) lives in headers/.

/** One header field line. `name` is the canonical long form (compact forms expanded). */
export interface HeaderField {
  name: string;
  value: string;
}

const COMPACT_FORMS: Record<string, string> = {
  a: 'Accept-Contact', b: 'Referred-By', c: 'Content-Type', d: 'Request-Disposition',
  e: 'Content-Encoding', f: 'From', i: 'Call-ID', j: 'Reject-Contact', k: 'Supported',
  l: 'Content-Length', m: 'Contact', n: 'Identity-Info', o: 'Event', r: 'Refer-To',
  s: 'Subject', t: 'To', u: 'Allow-Events', v: 'Via', x: 'Session-Expires', y: 'Identity',
};

const CANONICAL_NAMES = new Map<string, string>(
  [
    'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow',
    'Allow-Events', 'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact',
    'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length',
    'Content-Type', 'CSeq', 'Date', 'Error-Info', 'Event', 'Expires', 'From', 'In-Reply-To',
    'Max-Forwards', 'Min-Expires', 'Min-SE', 'MIME-Version', 'Organization', 'P-Asserted-Identity',
    'Priority', 'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck',
    'Reason', 'Record-Route', 'Refer-To', 'Referred-By', 'Reply-To', 'Require', 'Retry-After',
    'Route', 'RSeq', 'Server', 'Session-Expires', 'Subject', 'Subscription-State', 'Supported',
    'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
    'Content-Transfer-Encoding', 'Diversion', 'History-Info', 'Identity', 'Identity-Info', 'Path',
    'P-Charging-Vector', 'P-Preferred-Identity', 'Refer-Sub', 'Replaces', 'Request-Disposition',
    'Reject-Contact', 'Resource-Priority', 'Service-Route', 'Session-ID',
  ].map((name) => [name.toLowerCase(), name]),
);

/** Canonical spelling of a header name: compact forms expanded, known names cased as in the RFCs. */
export function canonicalHeaderName(name: string): string {
  if (name.length === 1) {
    const long = COMPACT_FORMS[name.toLowerCase()];
    if (long) return long;
  }
  return CANONICAL_NAMES.get(name.toLowerCase()) ?? name;
}

/**
 * Ordered header fields. Lookups are case-insensitive and accept compact forms.
 * A header that appears on several lines (or comma-joined on one) is kept as
 * separate entries in arrival order; splitting comma lists is the job of the
 * header grammar in headers/, because commas inside quotes and <> are not separators.
 */
export class SipHeaders {
  private readonly fields: HeaderField[] = [];
  /** Lower-cased canonical name of each field, parallel to `fields`, so lookups compare strings only. */
  private readonly keys: string[] = [];

  constructor(fields: Iterable<HeaderField> = []) {
    for (const field of fields) this.append(field.name, field.value);
  }

  /** Lookup keys by name as callers spell it ('Via', 'v', 'call-id'); bounded, names may come from the wire. */
  private static readonly keyCache = new Map<string, string>();

  private static key(name: string): string {
    let key = SipHeaders.keyCache.get(name);
    if (key === undefined) {
      key = canonicalHeaderName(name).toLowerCase();
      if (SipHeaders.keyCache.size < 1024) SipHeaders.keyCache.set(name, key);
    }
    return key;
  }

  private indexOf(key: string): number {
    return this.keys.indexOf(key);
  }

  /** First value of the header, or undefined. */
  get(name: string): string | undefined {
    const index = this.indexOf(SipHeaders.key(name));
    return index === -1 ? undefined : this.fields[index]!.value;
  }

  /** Every value of the header, in order. */
  getAll(name: string): string[] {
    const key = SipHeaders.key(name);
    const values: string[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) values.push(this.fields[i]!.value);
    return values;
  }

  has(name: string): boolean {
    return this.indexOf(SipHeaders.key(name)) !== -1;
  }

  /** Replace every occurrence with one value, kept at the position of the first occurrence. */
  set(name: string, value: string): void {
    const key = SipHeaders.key(name);
    const index = this.indexOf(key);
    if (index === -1) {
      this.append(name, value);
      return;
    }
    this.remove(name);
    this.fields.splice(index, 0, { name: canonicalHeaderName(name), value });
    this.keys.splice(index, 0, key);
  }

  append(name: string, value: string): void {
    const canonical = canonicalHeaderName(name);
    this.fields.push({ name: canonical, value });
    this.keys.push(canonical.toLowerCase());
  }

  /**
   * Append a field whose name is already canonical (as canonicalHeaderName returns it).
   * The parser uses it to avoid canonicalising twice.
   */
  appendCanonical(canonicalName: string, lowerName: string, value: string): void {
    this.fields.push({ name: canonicalName, value });
    this.keys.push(lowerName);
  }

  /** Insert before every other field of that name (Via and Record-Route are prepended). */
  prepend(name: string, value: string): void {
    const key = SipHeaders.key(name);
    const index = this.indexOf(key);
    const entry = { name: canonicalHeaderName(name), value };
    if (index === -1) {
      this.fields.push(entry);
      this.keys.push(key);
    } else {
      this.fields.splice(index, 0, entry);
      this.keys.splice(index, 0, key);
    }
  }

  /** Remove the first occurrence only (e.g. the top Via). Returns the removed value. */
  removeFirst(name: string): string | undefined {
    const index = this.indexOf(SipHeaders.key(name));
    if (index === -1) return undefined;
    const [removed] = this.fields.splice(index, 1);
    this.keys.splice(index, 1);
    return removed?.value;
  }

  remove(name: string): void {
    const key = SipHeaders.key(name);
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] === key) {
        this.fields.splice(i, 1);
        this.keys.splice(i, 1);
      }
    }
  }

  get size(): number {
    return this.fields.length;
  }

  [Symbol.iterator](): IterableIterator<HeaderField> {
    return this.fields[Symbol.iterator]();
  }

  clone(): SipHeaders {
    return new SipHeaders(this.fields.map((field) => ({ ...field })));
  }
}

export class SipRequest {
  readonly kind = 'request' as const;
  constructor(
    public method: string,
    public uri: string,
    public headers: SipHeaders = new SipHeaders(),
    public body: Buffer = Buffer.alloc(0),
    public version = 'SIP/2.0',
  ) {}
}

export class SipResponse {
  readonly kind = 'response' as const;
  constructor(
    public status: number,
    public reason: string,
    public headers: SipHeaders = new SipHeaders(),
    public body: Buffer = Buffer.alloc(0),
    public version = 'SIP/2.0',
  ) {}
}

export type SipMessage = SipRequest | SipResponse;
