// ProxyCore as a state machine: the transaction layer below it is a recording port
// and time is a FakeClock, so forking decisions and timers are checked exactly.
// The same core runs against real transports and SIPp in proxy-sipp.test.ts.

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SipServerLocator } from '../dns/sip-server-locator.js';
import type { SipServerTarget } from '../dns/sip-server-target.js';
import type { SipRequest, SipResponse } from '../messages/sip-message.js';
import { FakeClock } from '../timers/clock.js';
import { request, responseFor } from '../transactions/testing/sip-fixtures.js';
import type { ProxyLocalAddress } from './local-address.js';
import { BranchState } from './proxy-branch.js';
import { ProxyCore, ProxyState } from './proxy-core.js';
import type { ProxyOptions } from './proxy-options.js';
import type { ProxyClientListener, ProxyDependencies, ProxyServerLocator } from './proxy-ports.js';

const LOCAL: ProxyLocalAddress = { transport: 'udp', host: '127.0.0.1', port: 5060 };

interface SentRequest {
  request: SipRequest;
  destination: SipServerTarget;
  listener: ProxyClientListener;
  cancels: number;
}

function harness(options: Partial<ProxyOptions>, method = 'INVITE', locator: ProxyServerLocator = new SipServerLocator()) {
  const clock = new FakeClock();
  const sent: SentRequest[] = [];
  const upstream: SipResponse[] = [];
  const reports: string[] = [];
  let branchSeq = 0;
  const deps: ProxyDependencies = {
    transactions: {
      sendRequest(req, destination, listener) {
        const entry: SentRequest = { request: req, destination, listener, cancels: 0 };
        sent.push(entry);
        return { cancel: () => void entry.cancels++ };
      },
    },
    locator,
    locals: [LOCAL],
    localAddressFor: (destination) => (destination.transport === 'udp' ? LOCAL : undefined),
    clock,
    newBranch: () => `z9hG4bKproxy${++branchSeq}`,
    newTag: () => 'proxytag',
    logger: pino({ level: 'silent' }),
  };
  const incoming = request({ method, branch: 'z9hG4bKcaller', sentBy: '127.0.0.2:5062', uri: 'sip:+15550001@127.0.0.1' });
  const core = new ProxyCore({
    request: incoming,
    server: { respond: (response) => void upstream.push(response) },
    options: { destinations: [], recordRoute: false, fullResponse: true, followRedirects: false, forking: 'serial', ...options },
    deps,
    reporter: {
      finalResponse: (response, source) => void reports.push(`${response.status}@${source.address}:${source.port}`),
      done: () => void reports.push('done'),
      failed: (reason) => void reports.push(`failed:${reason}`),
    },
  });
  const answer = (index: number, status: number, extra: [string, string][] = []) => {
    const entry = sent[index];
    if (!entry) throw new Error(`no request #${index} was sent (sent ${sent.length})`);
    const response = responseFor(entry.request, status, `tag${index}`);
    for (const [name, value] of extra) response.headers.append(name, value);
    entry.listener.onResponse(response);
  };
  return { clock, sent, upstream, reports, core, answer, statuses: () => upstream.map((r) => r.status) };
}

/** Let DNS promises (numeric URIs resolve without network) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ProxyCore serial forking', () => {
  it('tries the next target after a failure and forwards 180 and 200 upstream with our Via removed', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3:5080', 'sip:b@127.0.0.4:5081'], recordRoute: true });
    h.core.start();
    await settle();
    expect(h.sent).toHaveLength(1);
    const first = h.sent[0]!.request;
    expect(first.uri).toBe('sip:a@127.0.0.3:5080');
    expect(first.headers.get('Max-Forwards')).toBe('69');
    expect(first.headers.get('Via')).toBe('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy1;rport');
    expect(first.headers.get('Record-Route')).toBe('<sip:127.0.0.1:5060;lr>');
    expect(h.sent[0]!.destination).toEqual({ transport: 'udp', address: '127.0.0.3', port: 5080 });

    h.answer(0, 100);
    h.answer(0, 486);
    await settle();
    expect(h.sent).toHaveLength(2);
    expect(h.sent[1]!.request.uri).toBe('sip:b@127.0.0.4:5081');
    h.answer(1, 180);
    h.answer(1, 200);
    expect(h.statuses()).toEqual([180, 200]);
    expect(h.upstream[1]!.headers.getAll('Via')).toEqual(['SIP/2.0/UDP 127.0.0.2:5062;branch=z9hG4bKcaller']);
    expect(h.reports).toEqual(['486@127.0.0.3:5080', '200@127.0.0.4:5081', 'done']);
    expect(h.core.state).toBe(ProxyState.Answered);
  });

  it('sends the best final response when every target fails, and stops at a 6xx', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3', 'sip:b@127.0.0.4', 'sip:c@127.0.0.5'] });
    h.core.start();
    await settle();
    h.answer(0, 503);
    await settle();
    h.answer(1, 486);
    await settle();
    h.answer(2, 404);
    expect(h.statuses()).toEqual([486]);
    expect(h.reports.at(-1)).toBe('done');

    const six = harness({ destinations: ['sip:a@127.0.0.3', 'sip:b@127.0.0.4'] });
    six.core.start();
    await settle();
    six.answer(0, 603);
    await settle();
    expect(six.sent).toHaveLength(1);
    expect(six.statuses()).toEqual([603]);
  });

  it('moves on when no provisional arrives within provisionalTimeout, CANCELling the silent target', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3', 'sip:b@127.0.0.4'], provisionalTimeoutMs: 2000 });
    h.core.start();
    await settle();
    h.clock.advance(1999);
    expect(h.sent).toHaveLength(1);
    h.clock.advance(1);
    await settle();
    expect(h.sent[0]!.cancels).toBe(1);
    expect(h.sent).toHaveLength(2);
    h.answer(1, 100); // a 100 is enough to stop the provisional timer
    h.clock.advance(5000);
    expect(h.sent[1]!.cancels).toBe(0);
    h.answer(1, 200);
    expect(h.statuses()).toEqual([200]);
  });

  it('CANCELs a ringing target after finalTimeout and answers 408 when nothing else is left', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3'], finalTimeoutMs: 10_000 });
    h.core.start();
    await settle();
    h.answer(0, 180);
    h.clock.advance(10_000);
    expect(h.sent[0]!.cancels).toBe(1);
    expect(h.statuses()).toEqual([180, 408]);
    expect(h.upstream[1]!.headers.get('To')).toContain('tag=proxytag');
    h.answer(0, 487); // the CANCELled branch's 487 arrives late and is absorbed
    expect(h.statuses()).toEqual([180, 408]);
  });

  it('runs Timer C (reset by provisionals) for INVITE branches', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3'] });
    h.core.start();
    await settle();
    h.clock.advance(100_000);
    h.answer(0, 183);
    h.clock.advance(179_999);
    expect(h.sent[0]!.cancels).toBe(0);
    h.clock.advance(1);
    expect(h.sent[0]!.cancels).toBe(1);
    expect(h.statuses()).toEqual([183, 408]);
  });
});

describe('ProxyCore simultaneous forking', () => {
  it('forks to every target, forwards the first 2xx, CANCELs the rest and still forwards a second 2xx', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3', 'sip:b@127.0.0.4', 'sip:c@127.0.0.5'], forking: 'simultaneous' });
    h.core.start();
    await settle();
    expect(h.sent.map((s) => s.destination.address)).toEqual(['127.0.0.3', '127.0.0.4', '127.0.0.5']);
    expect(new Set(h.sent.map((s) => s.request.headers.get('Via'))).size).toBe(3);
    h.answer(0, 180);
    h.answer(1, 180);
    h.answer(1, 200);
    expect(h.sent.map((s) => s.cancels)).toEqual([1, 0, 1]);
    h.answer(0, 200); // the CANCEL crossed a 200: it is forwarded too (RFC 3261 §16.7 step 5)
    h.answer(2, 487);
    expect(h.statuses()).toEqual([180, 180, 200, 200]);
    expect(h.reports.filter((r) => r === 'done')).toHaveLength(1);
  });

  it('aggregates 401/407 challenges from every branch', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3', 'sip:b@127.0.0.4'], forking: 'simultaneous' });
    h.core.start();
    await settle();
    h.answer(0, 401, [['WWW-Authenticate', 'Digest realm="a", nonce="1"']]);
    h.answer(1, 407, [['Proxy-Authenticate', 'Digest realm="b", nonce="2"']]);
    expect(h.statuses()).toEqual([401]);
    expect(h.upstream[0]!.headers.getAll('WWW-Authenticate')).toEqual(['Digest realm="a", nonce="1"']);
    expect(h.upstream[0]!.headers.getAll('Proxy-Authenticate')).toEqual(['Digest realm="b", nonce="2"']);
  });
});

describe('ProxyCore CANCEL, redirects, limits and failover', () => {
  it('propagates an upstream CANCEL to every pending branch and forwards their 487', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3', 'sip:b@127.0.0.4'], forking: 'simultaneous' });
    h.core.start();
    await settle();
    h.answer(0, 180);
    h.core.cancel();
    expect(h.sent.map((s) => s.cancels)).toEqual([1, 1]);
    expect(h.core.branches.map((b) => b.state)).toEqual([BranchState.Cancelling, BranchState.Cancelling]);
    h.answer(0, 487);
    h.answer(1, 487);
    expect(h.statuses()).toEqual([180, 487]);
  });

  it('answers 487 to a cancelled INVITE whose silent branch never got its CANCEL out', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3'] });
    h.core.start();
    await settle();
    h.core.cancel();
    expect(h.sent[0]!.cancels).toBe(1); // the layer holds it until a provisional that never comes
    h.sent[0]!.listener.onTimeout(); // Timer B
    expect(h.statuses()).toEqual([487]);
  });

  it('answers 487 itself when CANCEL arrives before any branch was sent', () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3', 'sip:b@127.0.0.4'] });
    h.core.start(); // DNS not yet settled: the first branch is resolving
    h.core.cancel();
    expect(h.statuses()).toEqual([487]);
    expect(h.sent).toHaveLength(0);
  });

  it('follows 3xx Contacts (highest q first) only when asked to', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3'], followRedirects: true });
    h.core.start();
    await settle();
    h.answer(0, 302, [['Contact', '<sip:low@127.0.0.6>;q=0.1, <sip:high@127.0.0.7>;q=0.9'], ['Contact', '<tel:+1555>']]);
    await settle();
    expect(h.sent[1]!.request.uri).toBe('sip:high@127.0.0.7');
    h.answer(1, 486);
    await settle();
    expect(h.sent[2]!.request.uri).toBe('sip:low@127.0.0.6');
    h.answer(2, 200);
    expect(h.statuses()).toEqual([200]);

    const plain = harness({ destinations: ['sip:a@127.0.0.3'] });
    plain.core.start();
    await settle();
    plain.answer(0, 302, [['Contact', '<sip:x@127.0.0.6>']]);
    expect(plain.statuses()).toEqual([302]);
  });

  it('rejects Max-Forwards 0 with 483 and tells the app', () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3'] });
    const incoming = (h.core as unknown as { request: SipRequest }).request;
    incoming.headers.set('Max-Forwards', '0');
    h.core.start();
    expect(h.statuses()).toEqual([483]);
    expect(h.reports).toEqual(['failed:Rejected with 483 Too Many Hops']);
  });

  it('fails over to the next resolved destination on transport error, timeout and 503 (RFC 3263 §4.3)', async () => {
    const destinations: SipServerTarget[] = [
      { transport: 'udp', address: '127.0.0.3', port: 5060 },
      { transport: 'tls', address: '127.0.0.4', port: 5061 }, // no TLS listener: skipped
      { transport: 'udp', address: '127.0.0.5', port: 5060 },
      { transport: 'udp', address: '127.0.0.6', port: 5060 },
      { transport: 'udp', address: '127.0.0.7', port: 5060 },
    ];
    const h = harness({ destinations: ['sip:pbx.carrier.test'] }, 'INVITE', { locate: async () => destinations });
    h.core.start();
    await settle();
    h.sent[0]!.listener.onTransportError(new Error('ECONNREFUSED'));
    h.sent[1]!.listener.onTimeout();
    h.answer(2, 503);
    h.answer(3, 200);
    expect(h.sent.map((s) => s.destination.address)).toEqual(['127.0.0.3', '127.0.0.5', '127.0.0.6', '127.0.0.7']);
    expect(new Set(h.sent.map((s) => s.request.headers.get('Via'))).size).toBe(4);
    expect(h.statuses()).toEqual([200]);
  });

  it('answers 500 (not 503) when no target resolves, and prefers a 416 for a non-SIP target over it', async () => {
    const unresolvable = harness({ destinations: ['sip:nowhere.invalid'] }, 'INVITE', { locate: async () => [] });
    unresolvable.core.start();
    await settle();
    expect(unresolvable.statuses()).toEqual([500]);
    const h = harness({ destinations: ['sip:nowhere.invalid', 'tel:+15551234'] }, 'INVITE', { locate: async () => [] });
    h.core.start();
    await settle();
    expect(h.statuses()).toEqual([416]);
  });

  it('gives a non-INVITE exactly one final response', async () => {
    const h = harness({ destinations: ['sip:a@127.0.0.3', 'sip:b@127.0.0.4'], forking: 'simultaneous' }, 'OPTIONS');
    h.core.start();
    await settle();
    h.answer(1, 200);
    h.answer(0, 200);
    expect(h.statuses()).toEqual([200]);
    expect(h.sent.map((s) => s.cancels)).toEqual([0, 0]);
    expect(h.sent[0]!.request.headers.has('Record-Route')).toBe(false);
  });
});
