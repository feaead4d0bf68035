import { describe, expect, it } from 'vitest';
import { DigitCollection } from './digit-collection.js';
import { parseDtmfLogDatagram } from './dtmf-log-event.js';

const options = { maxDigits: 4, terminator: '#', firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 2000 };

describe('DigitCollection', () => {
  it('ends at the maximum, at the terminator (not counted), or when a deadline passes', () => {
    const max = new DigitCollection(options, 0);
    expect(['1', '2', '3'].map((digit, index) => max.digit(digit, index * 100))).toEqual([undefined, undefined, undefined]);
    expect(max.digit('4', 400)).toEqual({ digits: '1234', reason: 'max' });

    const terminated = new DigitCollection(options, 0);
    terminated.digit('9', 10);
    expect(terminated.digit('#', 20)).toEqual({ digits: '9', reason: 'terminator' });

    const first = new DigitCollection(options, 1000);
    expect(first.deadline).toBe(6000);
    expect(first.digit('1', 6000)).toEqual({ digits: '', reason: 'timeout' });

    const inter = new DigitCollection(options, 0);
    inter.digit('1', 4000);
    expect(inter.deadline).toBe(6000);
    expect(inter.end('timeout')).toEqual({ digits: '1', reason: 'timeout' });
    // The first ending wins.
    expect(inter.end('hangup')).toEqual({ digits: '1', reason: 'timeout' });
  });

  it('refuses a maximum below one', () => {
    expect(() => new DigitCollection({ ...options, maxDigits: 0 }, 0)).toThrow(RangeError);
  });
});

describe('parseDtmfLogDatagram', () => {
  it('reads rtpengine 10.5 DTMF log datagrams and ignores anything else', () => {
    const datagram = (fields: object): Buffer => Buffer.from(JSON.stringify(fields));
    // As rtpengine 10.5 sent it in the experiment of notes/rtpengine.md.
    const real = { callid: 'c@h', source_tag: 'ta', tags: ['tb', 'ta'], type: 'DTMF', timestamp: 1796695594, source_ip: '127.0.0.1', event: 11, duration: 100, volume: 10 };
    expect(parseDtmfLogDatagram(datagram(real))).toEqual({ callId: 'c@h', sourceTag: 'ta', digit: '#', durationMs: 100 });
    expect(parseDtmfLogDatagram(datagram({ ...real, event: 10 }))?.digit).toBe('*');
    expect(parseDtmfLogDatagram(datagram({ ...real, event: 16 }))).toBeUndefined();
    expect(parseDtmfLogDatagram(datagram({ ...real, callid: 5 }))).toBeUndefined();
    expect(parseDtmfLogDatagram(Buffer.from('not json'))).toBeUndefined();
    expect(parseDtmfLogDatagram(Buffer.from('null'))).toBeUndefined();
  });
});
