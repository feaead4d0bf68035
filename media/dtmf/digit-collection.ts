// What collect() decides, as a pure state machine: digits in, a result out when the
// maximum, the terminator or a timeout is reached. The caller owns the clock and timers.

export interface DigitCollectionOptions {
  /** Stop once this many digits (not counting the terminator) are in. */
  maxDigits: number;
  /** A digit that ends the collection; it is not part of the result. */
  terminator?: string;
  /** How long to wait for the first digit. */
  firstDigitTimeoutMs: number;
  /** How long to wait for each later digit. */
  interDigitTimeoutMs: number;
}

export type CollectEnd = 'max' | 'terminator' | 'timeout' | 'hangup' | 'stopped';

export interface CollectResult {
  digits: string;
  reason: CollectEnd;
}

export class DigitCollection {
  private digits = '';
  private result: CollectResult | undefined;
  private deadlineMs: number;

  constructor(private readonly options: DigitCollectionOptions, startedAtMs: number) {
    if (!Number.isInteger(options.maxDigits) || options.maxDigits < 1) throw new RangeError('maxDigits must be a whole number of at least 1');
    this.deadlineMs = startedAtMs + options.firstDigitTimeoutMs;
  }

  /** When the collection times out unless another digit comes. */
  get deadline(): number {
    return this.deadlineMs;
  }

  get finished(): CollectResult | undefined {
    return this.result;
  }

  /** Feeds one digit; returns the result once the collection is over. */
  digit(digit: string, atMs: number): CollectResult | undefined {
    if (this.result) return this.result;
    if (atMs >= this.deadlineMs) return this.end('timeout');
    if (this.options.terminator !== undefined && digit === this.options.terminator) return this.end('terminator');
    this.digits += digit;
    if (this.digits.length >= this.options.maxDigits) return this.end('max');
    this.deadlineMs = atMs + this.options.interDigitTimeoutMs;
    return undefined;
  }

  /** The clock reached the deadline, the call hung up, or the caller stopped the collection. */
  end(reason: CollectEnd): CollectResult {
    this.result ??= { digits: this.digits, reason };
    return this.result;
  }
}
