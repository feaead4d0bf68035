import { describe, expect, it } from 'vitest';
import { coreLegContact, coreRequestUri, isTrustedHeaderName, trustedHeaders } from './trusted-headers.js';

describe('trusted headers', () => {
  it('names trunk, POP, dialled number and caller', () => {
    expect(trustedHeaders({ trunk: 't', pop: 'p', dialledNumber: '+18005550100', caller: '+15550001111' })).toEqual({
      'X-VPOP-Trunk': 't', 'X-VPOP-POP': 'p', 'X-VPOP-Dialled-Number': '+18005550100', 'X-VPOP-Caller': '+15550001111',
    });
    expect(isTrustedHeaderName('x-vpop-trunk')).toBe(true);
    expect(isTrustedHeaderName('X-Other')).toBe(false);
  });

  it('puts the dialled number in the core URI user part, replacing any and dropping unsafe characters', () => {
    expect(coreRequestUri('sip:127.0.0.1:5070', '+18005550100')).toBe('sip:+18005550100@127.0.0.1:5070');
    expect(coreRequestUri('sip:core@10.0.0.1;transport=tcp', '1800')).toBe('sip:1800@10.0.0.1;transport=tcp');
    expect(coreRequestUri('sip:127.0.0.1:5070', '')).toBe('sip:127.0.0.1:5070');
    expect(coreRequestUri('sip:127.0.0.1:5070', '1800>;evil')).toBe('sip:1800evil@127.0.0.1:5070');
    expect(() => coreRequestUri('http://x', '1')).toThrow(/not a SIP URI/);
  });

  it('names the edge\'s internal (core) listener as the Contact of the leg toward the core', () => {
    expect(coreLegContact({ transport: 'udp', address: '127.0.0.1', port: 5062 })).toBe('<sip:127.0.0.1:5062>');
    expect(coreLegContact({ transport: 'tls', address: '::1', port: 5062 })).toBe('<sip:[::1]:5062;transport=tls>');
    expect(coreLegContact(undefined)).toBeUndefined();
  });
});
