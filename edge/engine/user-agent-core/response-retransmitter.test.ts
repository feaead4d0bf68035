import { describe, expect, it } from 'vitest';
import { FakeClock } from '../timers/clock.js';
import { ResponseRetransmitter } from './response-retransmitter.js';

describe('UA-core retransmission (2xx until ACK, reliable provisionals until PRACK)', () => {
  it('2xx: Timer G doubles from T1 up to T2, gives up at Timer H = 64*T1', () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    let timedOut = 0;
    new ResponseRetransmitter(clock, { initialMs: 500, maxIntervalMs: 4000, timeoutMs: 32_000, resend: true },
      () => sent.push(clock.now()), () => timedOut++).start();
    clock.advance(40_000);
    expect(sent).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(timedOut).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops on ACK and never fires again', () => {
    const clock = new FakeClock();
    let sent = 0;
    let timedOut = 0;
    const r = new ResponseRetransmitter(clock, { initialMs: 500, maxIntervalMs: 4000, timeoutMs: 32_000, resend: true }, () => sent++, () => timedOut++);
    r.start();
    clock.advance(1600);
    r.stop();
    clock.advance(60_000);
    expect(sent).toBe(2);
    expect(timedOut).toBe(0);
    expect(r.active).toBe(false);
  });

  it('on reliable transports only the timeout runs', () => {
    const clock = new FakeClock();
    let sent = 0;
    let timedOut = 0;
    new ResponseRetransmitter(clock, { initialMs: 500, maxIntervalMs: Infinity, timeoutMs: 32_000, resend: false }, () => sent++, () => timedOut++).start();
    clock.advance(32_000);
    expect(sent).toBe(0);
    expect(timedOut).toBe(1);
  });
});
