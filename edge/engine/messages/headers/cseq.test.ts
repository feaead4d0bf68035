import { describe, expect, it } from 'vitest';
import { formatCSeq, MAX_CSEQ, parseCSeq } from './cseq.js';

describe('parseCSeq', () => {
  it('parses number and method, leading zeros and LWS included', () => {
    expect(parseCSeq('0009  INVITE')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('2147483647 BYE')).toEqual({ seq: 2147483647, method: 'BYE' });
  });

  it('accepts any 32-bit unsigned number (issue 7: 4294967295 got 400)', () => {
    expect(parseCSeq('2147483648 INVITE')).toEqual({ seq: 2147483648, method: 'INVITE' });
    expect(parseCSeq(`${MAX_CSEQ} INVITE`)).toEqual({ seq: 4294967295, method: 'INVITE' });
  });

  it.each(['4294967296 INVITE', '36893488147419103232 REGISTER', 'INVITE', '1', '1INVITE', '-1 BYE', '1 IN VITE', '1 <x>'])(
    'rejects %j',
    (value) => expect(parseCSeq(value)).toBeUndefined(),
  );

  it('formats', () => {
    expect(formatCSeq({ seq: 3, method: 'ACK' })).toBe('3 ACK');
  });
});
