// The first-run path on a copy of local.yaml: a local CA and a POP certificate appear at
// the configured paths, pass the POP loader's checks and openssl's, and a second run
// changes nothing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPopFile, loadPopConfig } from '../../platform/config/load-pop-config.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { ensurePopCertificate } from '../../certs/ensure-pop-certificate.js';
import { writeTestPopFile } from './test-pop-file.js';

const root = mkdtempSync(join(tmpdir(), 'vpop-ensure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshPop(name: string, generateIfMissing = true): { file: string; pop: PopConfig; tls: NonNullable<PopConfig['tls']> } {
  const dir = join(root, name);
  mkdirSync(dir);
  const file = writeTestPopFile(dir, { generateIfMissing });
  const pop = loadPopConfig(file, { checkFiles: false });
  return { file, pop, tls: pop.tls as NonNullable<PopConfig['tls']> };
}

describe('ensurePopCertificate', () => {
  it('makes a local CA and a POP certificate that the POP loader and openssl accept', async () => {
    const { file, pop, tls } = freshPop('first-run');
    const outcome = await ensurePopCertificate(pop);
    expect(outcome).toEqual({
      action: 'created',
      certFile: tls.certFile,
      keyFile: tls.keyFile,
      caCertFile: join(pop.stateDir, 'ca/ca.crt'),
      createdCa: true,
    });
    expect(checkPopFile(file)).toEqual([]);
    expect(execFileSync('openssl', ['verify', '-CAfile', join(pop.stateDir, 'ca/ca.crt'), tls.certFile], { encoding: 'utf8' })).toBe(`${tls.certFile}: OK\n`);
    expect(statSync(tls.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(pop.stateDir, 'ca/ca.key')).mode & 0o777).toBe(0o600);
    const names = execFileSync('openssl', ['x509', '-in', tls.certFile, '-noout', '-ext', 'subjectAltName,extendedKeyUsage'], { encoding: 'utf8' });
    expect(names).toContain('IP Address:127.0.0.1');
    expect(names).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
  });

  it('changes nothing on the second run', async () => {
    const { pop, tls } = freshPop('second-run');
    await ensurePopCertificate(pop);
    const files = [tls.certFile, tls.keyFile, join(pop.stateDir, 'ca/ca.crt'), join(pop.stateDir, 'ca/ca.key')];
    const before = files.map((path) => ({ text: readFileSync(path, 'utf8'), mtimeMs: statSync(path).mtimeMs }));
    expect(await ensurePopCertificate(pop)).toEqual({ action: 'present', certFile: tls.certFile, keyFile: tls.keyFile });
    expect(files.map((path) => ({ text: readFileSync(path, 'utf8'), mtimeMs: statSync(path).mtimeMs }))).toEqual(before);
  });

  it('reuses an existing local CA for a POP whose certificate files were removed', async () => {
    const { pop, tls } = freshPop('reuse-ca');
    await ensurePopCertificate(pop);
    const caBefore = readFileSync(join(pop.stateDir, 'ca/ca.crt'), 'utf8');
    rmSync(tls.certFile);
    rmSync(tls.keyFile);
    expect(await ensurePopCertificate(pop)).toMatchObject({ action: 'created', createdCa: false });
    expect(readFileSync(join(pop.stateDir, 'ca/ca.crt'), 'utf8')).toBe(caBefore);
  });

  it('never overwrites half a pair', async () => {
    const { pop, tls } = freshPop('half-pair');
    mkdirSync(dirname(tls.keyFile), { recursive: true });
    writeFileSync(tls.keyFile, 'operator key\n');
    await expect(ensurePopCertificate(pop)).rejects.toThrow(`${tls.keyFile} exists but ${tls.certFile} does not`);
    expect(readFileSync(tls.keyFile, 'utf8')).toBe('operator key\n');
  });

  it('makes nothing when the POP does not allow it, and says how to get a certificate', async () => {
    const { pop, tls } = freshPop('not-allowed', false);
    await expect(ensurePopCertificate(pop)).rejects.toThrow(`${tls.certFile} does not exist and tls.generateIfMissing is false`);
  });

  it('has nothing to do for a POP without TLS', async () => {
    const { pop } = freshPop('no-tls');
    const { tls: _unused, ...withoutTls } = pop;
    expect(await ensurePopCertificate(withoutTls as PopConfig)).toEqual({ action: 'no-tls' });
  });
});
