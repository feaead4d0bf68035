import { describe, expect, it } from 'vitest';
import { challengeHeader, expectedResponse, parseAuthorization, verifyResponse } from './digest-auth.js';
import { NonceIssuer } from './nonce-issuer.js';
import { registrationIntent } from './registration-request.js';
import { InMemoryBindingStore } from './binding-store.js';
import { userOf } from './registrar.js';

describe('digest', () => {
  it('computes the RFC 2617 §3.5 example response (MD5, qop=auth)', () => {
    expect(expectedResponse({
      username: 'Mufasa', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', uri: '/dir/index.html',
      algorithm: 'MD5', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
    }, 'GET', 'Circle Of Life')).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('computes the RFC 7616 §3.9.1 examples (MD5 and SHA-256)', () => {
    const base = {
      username: 'Mufasa', realm: 'http-auth@example.org', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', uri: '/dir/index.html',
      qop: 'auth', nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    };
    expect(expectedResponse({ ...base, algorithm: 'MD5' }, 'GET', 'Circle of Life')).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(expectedResponse({ ...base, algorithm: 'SHA-256' }, 'GET', 'Circle of Life'))
      .toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('parses an Authorization header as baresip sends it, and verifies only the right password', () => {
    const header = 'Digest username="agent7", realm="local.vpop", nonce="n1", uri="sip:127.0.0.1:5060", response="x", algorithm=MD5, cnonce="c1", qop=auth, nc=00000001';
    const parsed = parseAuthorization(header)!;
    expect(parsed).toMatchObject({ username: 'agent7', realm: 'local.vpop', nonce: 'n1', qop: 'auth', nc: '00000001', algorithm: 'MD5' });
    const right = { ...parsed, response: expectedResponse(parsed, 'REGISTER', 'agent7-local') };
    expect(verifyResponse(right, 'REGISTER', 'agent7-local')).toBe(true);
    expect(verifyResponse(right, 'REGISTER', 'wrong')).toBe(false);
    expect(verifyResponse({ ...right, qop: 'auth-int' }, 'REGISTER', 'agent7-local')).toBe(false);
  });

  it('refuses non-Digest, incomplete and unknown-algorithm headers', () => {
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(parseAuthorization('Basic YWdlbnQ3')).toBeUndefined();
    expect(parseAuthorization('Digest username="a", realm="r"')).toBeUndefined();
    expect(parseAuthorization('Digest username="a", realm="r", nonce="n", uri="u", response="x", algorithm=SHA1')).toBeUndefined();
  });

  it('builds the challenge', () => {
    expect(challengeHeader('local.vpop', 'n', 'MD5', true)).toBe('Digest realm="local.vpop", nonce="n", algorithm=MD5, qop="auth", stale=true');
  });
});

describe('NonceIssuer', () => {
  it('verifies its own nonces, refuses forged ones and marks old ones stale', () => {
    let now = 1_000_000;
    const nonces = new NonceIssuer(60_000, () => now);
    const nonce = nonces.issue();
    expect(nonces.check(nonce)).toBe('valid');
    expect(nonces.check(`${nonce.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA`)).toBe('invalid');
    expect(nonces.check('garbage')).toBe('invalid');
    expect(new NonceIssuer(60_000, () => now).check(nonce)).toBe('invalid');
    now += 60_001;
    expect(nonces.check(nonce)).toBe('stale');
  });
});

describe('registrationIntent', () => {
  const bounds = { min: 60, max: 3600, default: 600 };
  it('binds the first Contact with the requested expiry, capped at max', () => {
    expect(registrationIntent('<sip:agent7-0x1@127.0.0.5:5080>;expires=120', undefined, bounds)).toEqual({ kind: 'bind', contact: 'sip:agent7-0x1@127.0.0.5:5080', expires: 120 });
    expect(registrationIntent('"Agent" <sip:a@127.0.0.5>', '7200', bounds)).toEqual({ kind: 'bind', contact: 'sip:a@127.0.0.5', expires: 3600 });
    expect(registrationIntent('sip:a@127.0.0.5;transport=udp', undefined, bounds)).toEqual({ kind: 'bind', contact: 'sip:a@127.0.0.5', expires: 600 });
  });
  it('unbinds on expires 0 and on "*" with Expires: 0, queries without Contact', () => {
    expect(registrationIntent('<sip:a@127.0.0.5>;expires=0', undefined, bounds)).toEqual({ kind: 'unbind' });
    expect(registrationIntent('*', '0', bounds)).toEqual({ kind: 'unbind' });
    expect(registrationIntent('*', '60', bounds)).toMatchObject({ kind: 'invalid' });
    expect(registrationIntent(undefined, undefined, bounds)).toEqual({ kind: 'query' });
  });
  it('answers too-brief with the minimum, and refuses non-SIP contacts', () => {
    expect(registrationIntent('<sip:a@127.0.0.5>', '30', bounds)).toEqual({ kind: 'too-brief', minExpires: 60 });
    expect(registrationIntent('<http://x>', undefined, bounds)).toMatchObject({ kind: 'invalid' });
  });
});

describe('InMemoryBindingStore', () => {
  it('keeps one binding per user and forgets lapsed ones', async () => {
    const store = new InMemoryBindingStore();
    const binding = { username: 'agent7', contact: 'sip:a@127.0.0.5', sourceAddress: '127.0.0.5', sourcePort: 5080, transport: 'udp', expiresAt: 1000 };
    await store.put(binding);
    await store.put({ ...binding, contact: 'sip:b@127.0.0.6' });
    expect((await store.get('agent7', 999))?.contact).toBe('sip:b@127.0.0.6');
    expect(await store.count(999)).toBe(1);
    expect(await store.get('agent7', 1000)).toBeUndefined();
    expect(await store.count(1000)).toBe(0);
  });
});

describe('userOf', () => {
  it('reads the user part of a To header', () => {
    expect(userOf('"Agent 7" <sip:agent7@127.0.0.1>;tag=x')).toBe('agent7');
    expect(userOf('<sip:127.0.0.1>')).toBeUndefined();
  });
});
