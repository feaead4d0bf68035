import { describe, expect, it } from 'vitest';
import { SipHeaders, SipResponse } from '../messages/sip-message.js';
import { request, responseFor } from '../transactions/testing/sip-fixtures.js';
import { isOwnUri, recordRouteValue, type ProxyLocalAddress } from './local-address.js';
import { parseProxyTimeout, proxyOptionsFromCommand } from './proxy-options.js';
import { prepareForwarding, stampAttempt } from './request-forwarding.js';
import { selectBestResponse, upstreamFinalResponse, type CandidateResponse } from './response-selection.js';
import { isRoutedThroughUs, nextHopUri, removeOwnRoutes, routeEntries } from './route-handling.js';
import { strayResponseForward } from './stray-response.js';

const UDP: ProxyLocalAddress = { transport: 'udp', host: '127.0.0.1', port: 5060 };
const TCP: ProxyLocalAddress = { transport: 'tcp', host: '127.0.0.1', port: 5070 };
const LOCALS = [UDP, TCP];

const invite = (extra: { routes?: string[]; uri?: string } = {}) =>
  request({ method: 'INVITE', branch: 'z9hG4bKup1', sentBy: '127.0.0.2:5062', ...extra });

const candidate = (status: number, synthesized = false, headers: [string, string][] = []): CandidateResponse => {
  const response = new SipResponse(status, `R${status}`, new SipHeaders(headers.map(([name, value]) => ({ name, value }))));
  return { response, synthesized };
};

describe('own URIs and Record-Route', () => {
  it('recognises our listeners by host and effective port', () => {
    expect(isOwnUri('sip:127.0.0.1;lr', LOCALS)).toBe(true);
    expect(isOwnUri('sip:127.0.0.1:5070;transport=tcp;lr', LOCALS)).toBe(true);
    expect(isOwnUri('sip:127.0.0.1:5071;lr', LOCALS)).toBe(false);
    expect(isOwnUri('sip:bob@127.0.0.9', LOCALS)).toBe(false);
    expect(isOwnUri('sip:edge.pop.test:5060', [{ ...UDP, aliases: ['edge.pop.test'] }])).toBe(true);
    expect(isOwnUri('sip:[::1]:5060', [{ transport: 'udp', host: '::1', port: 5060 }])).toBe(true);
  });

  it('writes loose-routing Record-Route values with the transport', () => {
    expect(recordRouteValue(UDP)).toBe('<sip:127.0.0.1:5060;lr>');
    expect(recordRouteValue(TCP)).toBe('<sip:127.0.0.1:5070;transport=tcp;lr>');
    expect(recordRouteValue({ transport: 'tls', host: '::1', port: 5061 })).toBe('<sip:[::1]:5061;transport=tls;lr>');
  });
});

describe('Route handling (RFC 3261 §16.4, §16.6)', () => {
  it('removes our leading Route entries, including a double record-route pair', () => {
    const req = invite({ routes: ['<sip:127.0.0.1:5070;transport=tcp;lr>, <sip:127.0.0.1;lr>', '<sip:127.0.0.9;lr>'] });
    expect(isRoutedThroughUs(req, LOCALS)).toBe(true);
    removeOwnRoutes(req, LOCALS);
    expect(routeEntries(req)).toEqual(['<sip:127.0.0.9;lr>']);
    expect(nextHopUri(req)).toBe('sip:127.0.0.9;lr');
  });

  it('restores the Request-URI a strict router replaced with our Record-Route URI', () => {
    const req = invite({ uri: 'sip:127.0.0.1;lr', routes: ['<sip:bob@127.0.0.9:5080>'] });
    expect(isRoutedThroughUs(req, LOCALS)).toBe(true);
    removeOwnRoutes(req, LOCALS);
    expect(req.uri).toBe('sip:bob@127.0.0.9:5080');
    expect(routeEntries(req)).toEqual([]);
    expect(nextHopUri(req)).toBe('sip:bob@127.0.0.9:5080');
  });

  it('sends to a strict router with the Request-URI moved to the end of the Route set', () => {
    const req = invite({ uri: 'sip:bob@127.0.0.9', routes: ['<sip:127.0.0.8>', '<sip:127.0.0.7;lr>'] });
    expect(isRoutedThroughUs(req, LOCALS)).toBe(false);
    expect(nextHopUri(req)).toBe('sip:127.0.0.8');
    expect(req.uri).toBe('sip:127.0.0.8');
    expect(routeEntries(req)).toEqual(['<sip:127.0.0.7;lr>', '<sip:bob@127.0.0.9>']);
  });
});

describe('request forwarding (RFC 3261 §16.6)', () => {
  it('copies the request with the new target, Max-Forwards decremented and app headers set', () => {
    const original = invite({ routes: ['<sip:127.0.0.1;lr>'] });
    const result = prepareForwarding(original, 'sip:bob@127.0.0.9:5080', LOCALS, [
      { name: 'X-Trunk', value: 'carrier-a' },
      { name: 'Call-ID', value: 'hijack' },
    ]);
    if (!('request' in result)) throw new Error('expected a request');
    expect(result.request.uri).toBe('sip:bob@127.0.0.9:5080');
    expect(result.request.headers.get('Max-Forwards')).toBe('69');
    expect(result.request.headers.get('X-Trunk')).toBe('carrier-a');
    expect(result.request.headers.get('Call-ID')).toBe('call-z9hG4bKup1@127.0.0.1');
    expect(result.request.headers.has('Route')).toBe(false);
    expect(original.headers.get('Max-Forwards')).toBe('70');
    expect(original.uri).toBe('sip:bob@127.0.0.1:5060');
  });

  it('rejects Max-Forwards 0 with 483 and a malformed one with 400; sets 70 when absent', () => {
    const zero = invite();
    zero.headers.set('Max-Forwards', '0');
    expect(prepareForwarding(zero, undefined, LOCALS)).toEqual({ reject: { status: 483, reason: 'Too Many Hops' } });
    zero.headers.set('Max-Forwards', 'ten');
    expect(prepareForwarding(zero, undefined, LOCALS)).toEqual({ reject: { status: 400, reason: 'Invalid Max-Forwards' } });
    zero.headers.remove('Max-Forwards');
    const result = prepareForwarding(zero, undefined, LOCALS);
    expect('request' in result && result.request.headers.get('Max-Forwards')).toBe('70');
  });

  it('stamps our Via on top and one Record-Route, or two when the listeners differ', () => {
    const prepared = invite();
    const single = stampAttempt(prepared, { outbound: UDP, branch: 'z9hG4bKdown1', recordRoute: true, inbound: UDP });
    expect(single.headers.getAll('Via')[0]).toBe('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKdown1;rport');
    expect(single.headers.getAll('Via')[1]).toContain('z9hG4bKup1');
    expect(single.headers.getAll('Record-Route')).toEqual(['<sip:127.0.0.1:5060;lr>']);
    const double = stampAttempt(prepared, { outbound: TCP, branch: 'z9hG4bKdown2', recordRoute: true, inbound: UDP });
    expect(double.headers.getAll('Record-Route')).toEqual(['<sip:127.0.0.1:5070;transport=tcp;lr>', '<sip:127.0.0.1:5060;lr>']);
    expect(double.headers.get('Via')).toBe('SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKdown2;rport');
    const none = stampAttempt(prepared, { outbound: UDP, branch: 'z9hG4bKdown3', recordRoute: false });
    expect(none.headers.has('Record-Route')).toBe(false);
    expect(prepared.headers.getAll('Via')).toHaveLength(1);
  });
});

describe('response selection (RFC 3261 §16.7)', () => {
  it('prefers 6xx, then the lowest class, informative 4xx, real over synthesized, earliest', () => {
    expect(selectBestResponse([candidate(486), candidate(302), candidate(603)])?.response.status).toBe(603);
    expect(selectBestResponse([candidate(503), candidate(486), candidate(404)])?.response.status).toBe(486);
    expect(selectBestResponse([candidate(486), candidate(407)])?.response.status).toBe(407);
    expect(selectBestResponse([candidate(408, true), candidate(480)])?.response.status).toBe(480);
    expect(selectBestResponse([candidate(500), candidate(302)])?.response.status).toBe(302);
    expect(selectBestResponse([candidate(180)])).toBeUndefined();
    expect(selectBestResponse([])).toBeUndefined();
  });

  it('aggregates challenges into a selected 401/407 and turns 503 into 500', () => {
    const all = [
      candidate(401, false, [['WWW-Authenticate', 'Digest realm="a"']]),
      candidate(407, false, [['Proxy-Authenticate', 'Digest realm="b"']]),
      candidate(401, false, [['WWW-Authenticate', 'Digest realm="c"']]),
    ];
    const selected = upstreamFinalResponse(selectBestResponse(all)!.response, all);
    expect(selected.status).toBe(401);
    expect(selected.headers.getAll('WWW-Authenticate')).toEqual(['Digest realm="a"', 'Digest realm="c"']);
    expect(selected.headers.getAll('Proxy-Authenticate')).toEqual(['Digest realm="b"']);
    const unavailable = upstreamFinalResponse(candidate(503, false, [['Retry-After', '30']]).response, []);
    expect([unavailable.status, unavailable.headers.has('Retry-After')]).toEqual([500, false]);
  });
});

describe('stray responses (RFC 3261 §16.11)', () => {
  it('forwards a stray 2xx whose top Via is ours to the next Via (received/rport)', () => {
    const req = request({
      method: 'INVITE', branch: 'z9hG4bKdown', sentBy: '127.0.0.1:5060',
      extraVia: 'SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKup;received=127.0.0.2;rport=6000',
    });
    const forward = strayResponseForward(responseFor(req, 200), LOCALS);
    expect(forward?.destination).toEqual({ transport: 'udp', address: '127.0.0.2', port: 6000 });
    expect(forward?.response.headers.getAll('Via')).toEqual(['SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKup;received=127.0.0.2;rport=6000']);
  });

  it('handles comma-joined Vias and ignores responses whose top Via is not ours', () => {
    const res = new SipResponse(200, 'OK', new SipHeaders([
      { name: 'Via', value: 'SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKa, SIP/2.0/TCP 127.0.0.3:5090;branch=z9hG4bKb' },
    ]));
    expect(strayResponseForward(res, LOCALS)?.destination).toEqual({ transport: 'tcp', address: '127.0.0.3', port: 5090 });
    const foreign = new SipResponse(200, 'OK', new SipHeaders([{ name: 'Via', value: 'SIP/2.0/UDP 127.0.0.5:5060;branch=z9hG4bKx' }]));
    expect(strayResponseForward(foreign, LOCALS)).toBeUndefined();
  });
});

describe('drachtio proxy command', () => {
  const command = {
    stackTxnId: 'txn-7', remainInDialog: true, fullResponse: true, followRedirects: false, simultaneous: true,
    provisionalTimeout: '2s', finalTimeout: '1500ms', destinations: ['sip:a@127.0.0.2', ' sip:b@127.0.0.3', ''],
  };

  it('turns flags, forking, timeouts and destinations into ProxyOptions', () => {
    expect(proxyOptionsFromCommand(command, [{ name: 'X-Foo', value: 'bar' }])).toEqual({
      destinations: ['sip:a@127.0.0.2', 'sip:b@127.0.0.3'], recordRoute: true, fullResponse: true, followRedirects: false,
      forking: 'simultaneous', provisionalTimeoutMs: 2000, finalTimeoutMs: 1500, extraHeaders: [{ name: 'X-Foo', value: 'bar' }],
    });
    const serial = proxyOptionsFromCommand({ ...command, simultaneous: false, provisionalTimeout: '', finalTimeout: '' });
    expect(serial).toMatchObject({ forking: 'serial' });
    expect(serial).not.toHaveProperty('provisionalTimeoutMs');
  });

  it('rejects bad timeouts and missing destinations with a reason', () => {
    expect(String(proxyOptionsFromCommand({ ...command, provisionalTimeout: '2' }))).toContain('provisionalTimeout');
    expect(String(proxyOptionsFromCommand({ ...command, finalTimeout: '1m' }))).toContain('finalTimeout');
    expect(String(proxyOptionsFromCommand({ ...command, destinations: [] }))).toContain('no destination');
    expect(parseProxyTimeout('')).toBeUndefined();
    expect(parseProxyTimeout('3s')).toBe(3000);
  });
});
