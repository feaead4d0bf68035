/**
 * INVITE response latencies from a SIPp caller's message log (-trace_msg). SIPp stamps every
 * message it sends or receives with microseconds, finer than its own response-time timers
 * (whole milliseconds), so p50/p99 of a sub-millisecond path still mean something.
 */

export interface CallLatency {
  callId: string;
  /** INVITE sent to first 180 received, in ms; undefined when no 180 came. */
  ringingMs: number | undefined;
  /** INVITE sent to first 200 (to the INVITE) received, in ms. */
  answerMs: number | undefined;
}

const BLOCK_SEPARATOR = /^-{20,} (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})$/gm;

/** The stamp of a log block as microseconds since the epoch (SIPp prints local time; only differences matter). */
function stampMicros(match: RegExpExecArray): number {
  const [, year, month, day, hour, minute, second, micros] = match.map(Number) as number[];
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) * 1000 + micros!;
}

function headerValue(message: string, name: string, compact: string): string | undefined {
  const match = new RegExp(`^(?:${name}|${compact})[ \\t]*:[ \\t]*(.*)$`, 'im').exec(message);
  return match?.[1]?.trim();
}

interface Pending {
  inviteAt: number;
  ringingAt?: number;
  answerAt?: number;
}

export function inviteLatencies(log: string): CallLatency[] {
  const calls = new Map<string, Pending>();
  const stamps = [...log.matchAll(BLOCK_SEPARATOR)];
  for (let i = 0; i < stamps.length; i++) {
    const stamp = stamps[i]!;
    const start = stamp.index + stamp[0].length;
    const block = log.slice(start, stamps[i + 1]?.index ?? log.length);
    const direction = /message (sent|received)/.exec(block)?.[1];
    // The SIP message starts after the blank line that follows "... message sent/received ...".
    const message = block.slice(block.indexOf('\n\n') + 2);
    const callId = headerValue(message, 'Call-ID', 'i');
    const cseq = headerValue(message, 'CSeq', '');
    if (!direction || !callId || !cseq?.endsWith('INVITE')) continue;
    const at = stampMicros(stamp as unknown as RegExpExecArray);
    const firstLine = message.slice(0, message.indexOf('\n'));
    if (direction === 'sent' && firstLine.startsWith('INVITE ')) {
      // Retransmissions keep the first send time, as the caller experiences it.
      if (!calls.has(callId)) calls.set(callId, { inviteAt: at });
      continue;
    }
    const call = calls.get(callId);
    const status = /^SIP\/2\.0 (\d{3})/.exec(firstLine)?.[1];
    if (direction !== 'received' || !call || !status) continue;
    if (status === '180') call.ringingAt ??= at;
    if (status === '200') call.answerAt ??= at;
  }
  return [...calls.entries()].map(([callId, call]) => ({
    callId,
    ringingMs: call.ringingAt === undefined ? undefined : (call.ringingAt - call.inviteAt) / 1000,
    answerMs: call.answerAt === undefined ? undefined : (call.answerAt - call.inviteAt) / 1000,
  }));
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarizeLatencies(values: readonly (number | undefined)[]): LatencySummary {
  const sorted = values.filter((value): value is number => value !== undefined).sort((a, b) => a - b);
  const mean = sorted.length === 0 ? Number.NaN : sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return {
    count: sorted.length, mean,
    p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}
