import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPopConfig } from './load-pop-config.js';
import { engineSecret, phonePasswords, readSecretFile } from './pop-secrets.js';
import { optionsFromPop } from '../../edge/engine/engine-options.js';

const dir = mkdtempSync(join(tmpdir(), 'vpop-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('POP secrets', () => {
  it('reads the inline secret and passwords of local.yaml', () => {
    const local = loadPopConfig(resolve(import.meta.dirname, '../../configs/pops/local.yaml'));
    expect(engineSecret(local)).toBe('vpop-local-secret');
    expect(phonePasswords(local).get('agent7')).toBe('agent7-local');
  });

  it('reads secret and password files, relative to the POP file, at each call', () => {
    const pop = join(dir, 'pop.yaml');
    writeFileSync(join(dir, 'engine-secret'), 'first-secret\n');
    writeFileSync(join(dir, 'agent1.pw'), 'pw-one\r\n');
    const valid = join(import.meta.dirname, 'fixtures/valid.yaml');
    const text = readFileSync(valid, 'utf8')
      .replace('  secret: fixture-secret\n', '  secretFile: engine-secret\n')
      .replace('rtpengine:\n', 'phones:\n  allow: [127.0.0.5/32]\n  realm: unit\n  credentials:\n    - { username: agent1, passwordFile: agent1.pw }\nrtpengine:\n');
    writeFileSync(pop, text);
    const config = loadPopConfig(pop);
    expect(engineSecret(config)).toBe('first-secret');
    expect([...phonePasswords(config)]).toEqual([['agent1', 'pw-one']]);
    writeFileSync(join(dir, 'engine-secret'), 'rotated-secret\n');
    expect(engineSecret(config)).toBe('rotated-secret');
    // One reader for the engine and the SBC: a leading blank line or a trailing space changes nothing.
    writeFileSync(join(dir, 'engine-secret'), '\n\n  spaced-secret \t\n');
    expect(engineSecret(config)).toBe('spaced-secret');
    expect(optionsFromPop(config).control.secret).toBe('spaced-secret');
    writeFileSync(join(dir, 'engine-secret'), '\n \n');
    expect(() => engineSecret(config)).toThrow(`engine.secretFile ${join(dir, 'engine-secret')} is empty`);
    expect(() => readSecretFile(join(dir, 'absent'), 'ops.tokenFile')).toThrow(`ops.tokenFile ${join(dir, 'absent')} cannot be read: ENOENT`);
  });
});
