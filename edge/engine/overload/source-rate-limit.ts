// Pike-style flood protection (after Kamailio's pike module): messages per second from one
// source address, counted before parsing. A source above the rate is blocked for a while and
// gets silence, as an unlisted source does: an answer would confirm the target and cost the
// work the block saves. Pure bookkeeping over a clock, so it is tested without sockets.
import type { Clock } from '../timers/clock.js';

export interface SourceRateLimitOptions {
  /** Messages one source may send in a one-second window; above it the source is blocked. 0 disables. */
  messagesPerSecond: number;
  /** How long a source that went above the rate gets silence. */
  blockMs: number;
  /** Sources tracked at once; beyond it new sources are admitted untracked (the global ceilings still hold). */
  maxTrackedSources?: number;
}

interface SourceWindow {
  windowStart: number;
  count: number;
  blockedUntil: number;
}

const DEFAULT_MAX_TRACKED_SOURCES = 65_536;
const WINDOW_MS = 1000;

export class SourceRateLimit {
  /** Sources that went above the rate (each block counted once). */
  blocks = 0;
  /** Messages dropped because their source was blocked. */
  dropped = 0;
  private readonly sources = new Map<string, SourceWindow>();
  private readonly maxTracked: number;
  private lastSweep = 0;

  constructor(private readonly options: SourceRateLimitOptions, private readonly clock: Clock) {
    this.maxTracked = options.maxTrackedSources ?? DEFAULT_MAX_TRACKED_SOURCES;
  }

  get enabled(): boolean {
    return this.options.messagesPerSecond > 0;
  }

  /** Sources blocked right now (gauge). */
  blockedSources(): number {
    const now = this.clock.now();
    let blocked = 0;
    for (const source of this.sources.values()) if (source.blockedUntil > now) blocked++;
    return blocked;
  }

  /** Sources tracked (memory check). */
  get trackedSources(): number {
    return this.sources.size;
  }

  /** Count one message from `address`; false when it is to be dropped. */
  admit(address: string): boolean {
    if (!this.enabled) return true;
    const now = this.clock.now();
    if (now - this.lastSweep >= WINDOW_MS) this.sweep(now);
    let source = this.sources.get(address);
    if (source === undefined) {
      if (this.sources.size >= this.maxTracked) return true;
      source = { windowStart: now, count: 0, blockedUntil: 0 };
      this.sources.set(address, source);
    }
    if (source.blockedUntil > now) {
      this.dropped++;
      return false;
    }
    if (now - source.windowStart >= WINDOW_MS) {
      source.windowStart = now;
      source.count = 0;
    }
    source.count++;
    if (source.count > this.options.messagesPerSecond) {
      source.blockedUntil = now + this.options.blockMs;
      this.blocks++;
      this.dropped++;
      return false;
    }
    return true;
  }

  /** Forget sources that are neither blocked nor seen in the last window: memory returns to its baseline. */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [address, source] of this.sources) {
      if (source.blockedUntil <= now && now - source.windowStart >= WINDOW_MS) this.sources.delete(address);
    }
  }
}
