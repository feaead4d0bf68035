import { describe, expect, it } from 'vitest';
import { SipRequest } from '../messages/sip-message.js';
import { ceilingBroken } from './overload-limits.js';

describe('ceilingBroken', () => {
  const limits = { maxTransactions: 10, maxDialogs: 5 };
  const invite = new SipRequest('INVITE', 'sip:a@127.0.0.1');
  const options = new SipRequest('OPTIONS', 'sip:a@127.0.0.1');

  it('lets requests through below both ceilings', () => {
    expect(ceilingBroken(invite, { transactions: 9, dialogs: 4 }, limits)).toBeUndefined();
  });

  it('refuses any new request at the transaction ceiling, and only dialog-creating ones at the dialog ceiling', () => {
    expect(ceilingBroken(options, { transactions: 10, dialogs: 0 }, limits)).toBe('transactions');
    expect(ceilingBroken(invite, { transactions: 0, dialogs: 5 }, limits)).toBe('dialogs');
    expect(ceilingBroken(options, { transactions: 0, dialogs: 5 }, limits)).toBeUndefined();
  });

  it('treats 0 as no ceiling', () => {
    expect(ceilingBroken(invite, { transactions: 1e9, dialogs: 1e9 }, { maxTransactions: 0, maxDialogs: 0 })).toBeUndefined();
  });
});
