import { describe, expect, it } from 'vitest';
import { SipHeaders, SipRequest } from '../messages/sip-message.js';
import { isScannerUserAgent } from './scanner-user-agents.js';
import { scannerDiscardReason } from './scanner-discard.js';

describe('isScannerUserAgent', () => {
  it.each(['friendly-scanner', 'sipvicious 0.3.4', 'sipcli/v1.8', 'sip-scan', 'VaxSIPUserAgent/3.1', 'SIPVicious'])('flags %s', (ua) => {
    expect(isScannerUserAgent(ua)).toBe(true);
  });
  it.each([undefined, '', 'baresip v1.0.0 (x86_64/linux)', 'SIPp/Linux', 'Zoiper rv2.10'])('lets %s through', (ua) => {
    expect(isScannerUserAgent(ua)).toBe(false);
  });
});

describe('scannerDiscardReason', () => {
  const request = (userAgent?: string): SipRequest => new SipRequest('OPTIONS', 'sip:100@127.0.0.1', new SipHeaders(
    userAgent === undefined ? [] : [{ name: 'User-Agent', value: userAgent }],
  ));
  it('names the reason for a scanner and lets others through', () => {
    expect(scannerDiscardReason(request('friendly-scanner'))).toBe('scanner-user-agent');
    expect(scannerDiscardReason(request('baresip v3'))).toBe(false);
    expect(scannerDiscardReason(request())).toBe(false);
  });
});
