import { describe, expect, it } from 'vitest';
import { inviteLatencies, percentile, summarizeLatencies } from './sipp-message-log.js';

const SEPARATOR = '-'.repeat(47);
const block = (time: string, direction: 'sent' | 'received', message: string): string =>
  `${SEPARATOR} 2026-11-22 ${time}\nUDP message ${direction} (300 bytes):\n\n${message}\n\n`;

const invite = (callId: string) => `INVITE sip:service@127.0.0.1:5060 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\nCall-ID: ${callId}\nCSeq: 1 INVITE\nContent-Length: 0`;
const response = (status: string, callId: string, method = 'INVITE') => `SIP/2.0 ${status}\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\ni: ${callId}\nCSeq: 1 ${method}\nContent-Length: 0`;

// Written the way SIPp 3.6.1 writes -trace_msg: a dashed line with the time to the microsecond.
const LOG = [
  block('16:31:01.665219', 'sent', invite('a@x')),
  block('16:31:01.665300', 'received', response('100 Trying', 'a@x')),
  block('16:31:01.667219', 'received', response('180 Ringing', 'a@x')),
  block('16:31:01.999000', 'sent', invite('b@x')),
  block('16:31:02.000500', 'sent', invite('b@x')), // retransmission: the first send time counts
  block('16:31:02.003000', 'received', response('200 OK', 'b@x')),
  block('16:31:02.004219', 'received', response('200 OK', 'a@x')),
  block('16:31:02.005000', 'received', response('200 OK', 'a@x', 'BYE')),
].join('');

describe('inviteLatencies', () => {
  it('measures INVITE to 180 and to 200 per call, across a second boundary, from the first send', () => {
    const latencies = inviteLatencies(LOG);
    expect(latencies).toHaveLength(2);
    const a = latencies.find((call) => call.callId === 'a@x')!;
    expect(a.ringingMs).toBeCloseTo(2, 6);
    expect(a.answerMs).toBeCloseTo(339, 6);
    const b = latencies.find((call) => call.callId === 'b@x')!;
    expect(b.ringingMs).toBeUndefined();
    expect(b.answerMs).toBeCloseTo(4, 6);
  });

  it('ignores text that is not a message block', () => {
    expect(inviteLatencies('garbage\n\n---- not a stamp\n')).toEqual([]);
  });
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises defined values only', () => {
    expect(summarizeLatencies([3, undefined, 1, 2])).toEqual({ count: 3, mean: 2, p50: 2, p90: 3, p99: 3, max: 3 });
  });
});
