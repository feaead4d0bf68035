import { describe, expect, it } from 'vitest';
import { FakeClock } from '../timers/clock.js';
import { DialogSettling } from './dialog-settling.js';

describe('DialogSettling', () => {
  it('delivers at once in a dialog with no window open', () => {
    const settling = new DialogSettling(new FakeClock(), 50);
    const delivered: string[] = [];
    settling.deliver('d1', () => delivered.push('bye'));
    settling.deliver('', () => delivered.push('out-of-dialog'));
    expect(delivered).toEqual(['bye', 'out-of-dialog']);
  });

  it('holds requests until the window passes, then delivers them in order', () => {
    const clock = new FakeClock();
    const settling = new DialogSettling(clock, 50);
    const delivered: string[] = [];
    settling.begin('d1');
    clock.advance(10);
    settling.deliver('d1', () => delivered.push('ack'));
    settling.deliver('d1', () => delivered.push('bye'));
    settling.deliver('d2', () => delivered.push('other dialog'));
    expect(delivered).toEqual(['other dialog']);
    clock.advance(39);
    expect(delivered).toEqual(['other dialog']);
    clock.advance(1);
    expect(delivered).toEqual(['other dialog', 'ack', 'bye']);
    expect(settling.size).toBe(0);
  });

  it('delivers at once after the window and forgets the dialog', () => {
    const clock = new FakeClock();
    const settling = new DialogSettling(clock, 50);
    settling.begin('d1');
    clock.advance(60);
    const delivered: string[] = [];
    settling.deliver('d1', () => delivered.push('bye'));
    expect(delivered).toEqual(['bye']);
    expect(settling.size).toBe(0);
  });

  it('waits for an extended window, and a window of 0 never holds', () => {
    const clock = new FakeClock();
    const settling = new DialogSettling(clock, 50);
    const delivered: string[] = [];
    settling.begin('d1');
    settling.deliver('d1', () => delivered.push('prack'));
    clock.advance(30);
    settling.begin('d1');
    clock.advance(20);
    expect(delivered).toEqual([]);
    clock.advance(30);
    expect(delivered).toEqual(['prack']);
    const never = new DialogSettling(clock, 0);
    never.begin('d2');
    never.deliver('d2', () => delivered.push('at once'));
    expect(delivered).toEqual(['prack', 'at once']);
  });

  it('end() forgets an idle window; close() drops held deliveries', () => {
    const clock = new FakeClock();
    const settling = new DialogSettling(clock, 50);
    settling.begin('d1');
    settling.end('d1');
    expect(settling.size).toBe(0);
    const delivered: string[] = [];
    settling.begin('d2');
    settling.deliver('d2', () => delivered.push('bye'));
    settling.close();
    clock.advance(100);
    expect(delivered).toEqual([]);
  });
});
