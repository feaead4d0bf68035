import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { challengeAlgorithms, digestHa1, expectedResponse, verifyResponse } from './digest-auth.js';
import { NonceCounts } from './nonce-counts.js';
import { userOf } from './registrar.js';

describe('NonceCounts', () => {
  it('accepts a growing count once per value, and a qop-less nonce once', () => {
    const counts = new NonceCounts(60_000);
    expect(counts.accept('n1', '00000001', 0)).toBe(true);
    expect(counts.accept('n1', '00000001', 1)).toBe(false);
    expect(counts.accept('n1', '00000002', 2)).toBe(true);
    expect(counts.accept('n1', '00000001', 3)).toBe(false);
    expect(counts.accept('n2', undefined, 0)).toBe(true);
    expect(counts.accept('n2', undefined, 1)).toBe(false);
    expect(counts.accept('n3', 'zz', 0)).toBe(false);
    expect(counts.accept('n3', '00000000', 0)).toBe(false);
  });

  it('forgets nonces once stale, and stays bounded', () => {
    const counts = new NonceCounts(1000, 2);
    expect(counts.accept('a', '00000001', 0)).toBe(true);
    expect(counts.accept('b', '00000001', 0)).toBe(true);
    expect(counts.accept('c', '00000001', 500)).toBe(false);
    expect(counts.accept('c', '00000001', 1000)).toBe(true);
    expect(counts.size).toBe(1);
  });
});

describe('AuthFailureLimiter', () => {
  it('blocks a key at the limit within the window, for the block time, and success clears failures', () => {
    const limiter = new AuthFailureLimiter({ maxFailures: 3, windowMs: 1000, blockMs: 5000 });
    expect(limiter.fail('s', 0)).toBe(false);
    expect(limiter.fail('s', 10)).toBe(false);
    limiter.succeed('s');
    expect(limiter.fail('s', 20)).toBe(false);
    expect(limiter.fail('s', 30)).toBe(false);
    expect(limiter.fail('s', 2000)).toBe(false); // the first two fell out of the window
    expect(limiter.fail('s', 2010)).toBe(false);
    expect(limiter.fail('s', 2020)).toBe(true);
    expect(limiter.isBlocked('s', 7019)).toBe(true);
    expect(limiter.isBlocked('s', 7020)).toBe(false);
    expect(limiter.blocked(3000)).toBe(1);
  });

  it('stays within its key limit', () => {
    const limiter = new AuthFailureLimiter({ maxFailures: 3, windowMs: 1000, blockMs: 5000, maxKeys: 10 });
    for (let i = 0; i < 100; i++) limiter.fail(`k${i}`, i);
    expect(limiter.blocked(100)).toBe(0);
    expect((limiter as unknown as { keys: Map<string, unknown> }).keys.size).toBeLessThanOrEqual(10);
  });
});

describe('digest with HA1 hashes', () => {
  const base = { username: 'agent7', realm: 'local.vpop', nonce: 'n', uri: 'sip:127.0.0.1:5080', qop: 'auth', nc: '00000001', cnonce: 'c' };
  it('verifies a response against an HA1 per algorithm, never against the other algorithm', () => {
    const sha = { ...base, algorithm: 'SHA-256' as const, response: expectedResponse({ ...base, algorithm: 'SHA-256' }, 'REGISTER', 'agent7-local') };
    const ha1Sha256 = digestHa1('SHA-256', 'agent7', 'local.vpop', 'agent7-local');
    expect(verifyResponse(sha, 'REGISTER', { ha1Sha256 })).toBe(true);
    expect(verifyResponse(sha, 'REGISTER', { ha1Md5: digestHa1('MD5', 'agent7', 'local.vpop', 'agent7-local') })).toBe(false);
    expect(verifyResponse({ ...sha, response: sha.response.slice(0, -1) }, 'REGISTER', { ha1Sha256 })).toBe(false);
    // The command docs/security.md gives makes the same HA1.
    const documented = execFileSync('sh', ['-c', "printf '%s' 'agent7:local.vpop:agent7-local' | sha256sum"], { encoding: 'utf8' });
    expect(documented.split(' ')[0]).toBe(ha1Sha256);
  });

  it('challenges SHA-256 first, and MD5 only where the secret allows it', () => {
    expect(challengeAlgorithms({ password: 'x' })).toEqual(['SHA-256', 'MD5']);
    expect(challengeAlgorithms({ ha1Sha256: 'a'.repeat(64) })).toEqual(['SHA-256']);
    expect(challengeAlgorithms({ ha1Md5: 'a'.repeat(32) })).toEqual(['MD5']);
    expect(challengeAlgorithms(undefined)).toEqual(['SHA-256', 'MD5']);
  });
});

describe('userOf', () => {
  it('reads the URI user, never a sip: inside a quoted display name', () => {
    expect(userOf('"sip:agent9@evil" <sip:agent7@127.0.0.1>;tag=x')).toBe('agent7');
    expect(userOf('agent <sips:agent8@[::1]:5061>')).toBe('agent8');
    expect(userOf('<tel:+15550001111>')).toBeUndefined();
    expect(userOf('garbage')).toBeUndefined();
  });
});
