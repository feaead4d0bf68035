// The registrar against an attacker on the phones' network, over real UDP through the
// engine and the SBC (issue 8): a captured Authorization header cannot be replayed, nor
// sent to another Request-URI; the challenge offers SHA-256 before MD5; repeated wrong
// answers block the source, which then gets no answer at all.
import { afterEach, describe, expect, it } from 'vitest';
import type { SipMessage } from '../../edge/engine/messages/sip-message.js';
import { expectedResponse, parseAuthorization } from '../../edge/sbc/registrar/digest-auth.js';
import { RawSipPeer } from '../engine/raw-sip-peer.js';
import { waitUntil } from '../support/wait-until.js';
import { startTestEdge, stopTestEdgeWithNoCallsLeft, type TestEdge } from './support/sbc-harness.js';

let sequence = 0;
const addresses = new WeakMap<RawSipPeer, string>();

function register(peer: RawSipPeer, edge: TestEdge, user: string, callId: string, authorization?: string, requestUri?: string): void {
  sequence += 1;
  const uri = requestUri ?? `sip:127.0.0.1:${edge.phonesPort}`;
  const address = addresses.get(peer)!;
  peer.send([
    `REGISTER ${uri} SIP/2.0`, `Via: SIP/2.0/UDP ${address}:${peer.port};branch=z9hG4bK-reg-${callId}-${sequence};rport`,
    'Max-Forwards: 70', `From: <sip:${user}@local.vpop>;tag=${callId}`, `To: <sip:${user}@local.vpop>`, `Call-ID: ${callId}`,
    `CSeq: ${sequence} REGISTER`, `Contact: <sip:${user}@${address}:${peer.port}>`, 'Expires: 600',
    ...(authorization ? [`Authorization: ${authorization}`] : []),
  ]);
}

/** The final response to the latest REGISTER of this Call-ID. */
async function answer(peer: RawSipPeer, callId: string): Promise<SipMessage & { kind: 'response' }> {
  const cseq = `${sequence} REGISTER`;
  const message = await peer.waitFor((m) => m.kind === 'response' && m.headers.get('Call-ID') === callId && m.headers.get('CSeq') === cseq);
  if (message.kind !== 'response') throw new Error('not a response');
  return message;
}

function authorizationFor(challenge: string, user: string, password: string, uri: string, nc = '00000001'): string {
  const params = parseAuthorization(challenge.replace(/^Digest/, 'Digest username="x", uri="x", response="x",'))!;
  const credentials = { username: user, realm: params.realm, nonce: params.nonce, uri, algorithm: params.algorithm, qop: 'auth', nc, cnonce: 'c0ffee' };
  const response = expectedResponse(credentials, 'REGISTER', password);
  return `Digest username="${user}", realm="${params.realm}", nonce="${params.nonce}", uri="${uri}", response="${response}", algorithm=${params.algorithm}, qop=auth, nc=${nc}, cnonce="c0ffee"`;
}

async function metric(edge: TestEdge, pattern: RegExp): Promise<number> {
  const match = pattern.exec(await edge.registry.metrics());
  return match ? Number(match[1]) : 0;
}

describe('registrar hardening', () => {
  let edge: TestEdge | undefined;
  const peers: RawSipPeer[] = [];
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.close();
    await stopTestEdgeWithNoCallsLeft(edge);
    edge = undefined;
  });

  async function phone(address: string): Promise<RawSipPeer> {
    const peer = await RawSipPeer.open({ address: '127.0.0.1', port: edge!.phonesPort }, address);
    addresses.set(peer, address);
    peers.push(peer);
    return peer;
  }

  it('challenges SHA-256 first, and refuses a replayed Authorization and one made for another Request-URI', async () => {
    edge = await startTestEdge();
    const agent = await phone('127.0.0.5');
    register(agent, edge, 'agent8', 'replay');
    const challenge = await answer(agent, 'replay');
    expect(challenge.status).toBe(401);
    const offered = challenge.headers.getAll('WWW-Authenticate');
    expect(offered.map((value) => /algorithm=([\w-]+)/.exec(value)?.[1])).toEqual(['SHA-256', 'MD5']);
    // A phone set to MD5 only (algorithms: [MD5], for baresip 1.x) is offered MD5 alone.
    register(agent, edge, 'agent7', 'md5-only');
    expect((await answer(agent, 'md5-only')).headers.getAll('WWW-Authenticate').map((value) => /algorithm=([\w-]+)/.exec(value)?.[1])).toEqual(['MD5']);
    const uri = `sip:127.0.0.1:${edge.phonesPort}`;
    const captured = authorizationFor(offered[0]!, 'agent8', 'agent8-local', uri);
    register(agent, edge, 'agent8', 'replay', captured);
    expect((await answer(agent, 'replay')).status).toBe(200);

    // The attacker replays the captured header byte for byte, from another phone address.
    const attacker = await phone('127.0.0.6');
    register(attacker, edge, 'agent8', 'replay', captured);
    const replayed = await answer(attacker, 'replay');
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('WWW-Authenticate')).toContain('stale=true');
    // ... or sends it to another Request-URI (a different registrar).
    register(attacker, edge, 'agent8', 'replay', captured, `sip:local.vpop:${edge.phonesPort}`);
    expect((await answer(attacker, 'replay')).status).toBe(403);
    // The phone itself goes on with the next count of the same nonce.
    register(agent, edge, 'agent8', 'replay', authorizationFor(offered[0]!, 'agent8', 'agent8-local', uri, '00000002'));
    expect((await answer(agent, 'replay')).status).toBe(200);
    expect((await edge.sbc.registrar?.lookup('agent8'))?.sourceAddress).toBe('127.0.0.5');
    expect(await metric(edge, /vpop_sbc_registrar_auth_failures_total\{reason="replayed"\} (\d+)/)).toBe(1);
    expect(await metric(edge, /vpop_sbc_registrar_auth_failures_total\{reason="uri-mismatch"\} (\d+)/)).toBe(1);
  });

  it('blocks a source after five wrong answers: the sixth REGISTER, even with the right password, gets silence', async () => {
    edge = await startTestEdge();
    const guesser = await phone('127.0.0.8');
    const uri = `sip:127.0.0.1:${edge.phonesPort}`;
    for (let attempt = 1; attempt <= 5; attempt++) {
      register(guesser, edge, 'agent8', `guess-${attempt}`);
      const challenge = await answer(guesser, `guess-${attempt}`);
      register(guesser, edge, 'agent8', `guess-${attempt}`, authorizationFor(challenge.headers.get('WWW-Authenticate')!, 'agent8', `guess-${attempt}`, uri));
      expect((await answer(guesser, `guess-${attempt}`)).status).toBe(403);
    }
    expect(await metric(edge, /vpop_sbc_registrar_blocks_total\{kind="source"\} (\d+)/)).toBe(1);
    expect(await metric(edge, /vpop_sbc_registrar_blocks_total\{kind="user"\} (\d+)/)).toBe(1);
    const before = guesser.received.length;
    register(guesser, edge, 'agent8', 'after-block');
    await waitUntil(async () => (await metric(edge!, /vpop_sbc_registrar_auth_failures_total\{reason="blocked"\} (\d+)/)) === 1, 'the blocked REGISTER reaches the registrar');
    expect(guesser.received.slice(before).map((m) => (m.kind === 'response' ? m.status : m.method)).filter((s) => s !== 100)).toEqual([]);
    // Another phone is not blocked by the guesser's source...
    const other = await phone('127.0.0.9');
    register(other, edge, 'agent7', 'other');
    expect((await answer(other, 'other')).status).toBe(401);
    // ... but the guessed user name is, from anywhere, for the block time.
    const challenge = await answer(other, 'other');
    register(other, edge, 'agent8', 'other', authorizationFor(challenge.headers.get('WWW-Authenticate')!, 'agent8', 'agent8-local', uri));
    await waitUntil(async () => (await metric(edge!, /vpop_sbc_registrar_auth_failures_total\{reason="blocked"\} (\d+)/)) === 2, 'the blocked user name is dropped');
    expect(await edge.sbc.registrar?.lookup('agent8')).toBeUndefined();
  });
});
