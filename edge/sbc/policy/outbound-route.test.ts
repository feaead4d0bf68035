import { describe, expect, it } from 'vitest';
import { trunkFixture } from '../testing/trunk-fixture.js';
import { gatewayRequestUri, outboundRoute } from './outbound-route.js';

describe('outboundRoute', () => {
  const us = trunkFixture({
    name: 'us', outbound: { numberPrefixes: ['+1'] },
    gateways: [{ uri: 'sip:127.0.0.2:5061;transport=tls', priority: 2, weight: 1 }, { uri: 'sip:127.0.0.12:5061;transport=tls', priority: 1, weight: 1 }],
  });
  const nyc = trunkFixture({ name: 'nyc', outbound: { numberPrefixes: ['+1212'] }, gateways: [{ uri: 'sip:127.0.0.13', priority: 1, weight: 1 }] });
  const phones = new Set(['agent7']);
  const allUp = () => true;

  it('sends a registered agent name to the phone', () => {
    expect(outboundRoute('agent7', phones, [us], allUp)).toEqual({ kind: 'phone', username: 'agent7' });
  });

  it('picks the longest prefix and the best gateway that is up', () => {
    expect(outboundRoute('+12125550100', phones, [us, nyc], allUp)).toMatchObject({ kind: 'trunk', gatewayUris: ['sip:127.0.0.13'] });
    expect(outboundRoute('+13125550100', phones, [us, nyc], allUp)).toMatchObject({ kind: 'trunk', gatewayUris: ['sip:127.0.0.12:5061;transport=tls', 'sip:127.0.0.2:5061;transport=tls'] });
    expect(outboundRoute('+13125550100', phones, [us], (_t, uri) => !uri.includes('127.0.0.12'))).toMatchObject({ gatewayUris: ['sip:127.0.0.2:5061;transport=tls'] });
    expect(outboundRoute('+13125550100', phones, [us], () => false)).toMatchObject({ kind: 'no-gateway' });
  });

  it('has no route for unknown names or unserved numbers', () => {
    expect(outboundRoute('agent99', phones, [us], allUp)).toEqual({ kind: 'no-route' });
    expect(outboundRoute('+4420', phones, [us], allUp)).toEqual({ kind: 'no-route' });
  });

  it('builds gateway request URIs', () => {
    expect(gatewayRequestUri('sip:127.0.0.2:5061;transport=tls', '+15550001111')).toBe('sip:+15550001111@127.0.0.2:5061;transport=tls');
  });
});
