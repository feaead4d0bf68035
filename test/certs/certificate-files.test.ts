// Replacing a key and certificate on a real file system: modes independent of the umask,
// the old pair kept as .prev, no temporary files left behind, and nothing changed when
// the new files cannot be written.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { replaceKeyAndCertificate } from '../../certs/certificate-files.js';

const root = mkdtempSync(join(tmpdir(), 'vpop-cert-files-'));
const umask = process.umask();
afterEach(() => void process.umask(umask));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const pair = (tag: string) => ({ certificatePem: `certificate ${tag}\n`, privateKeyPem: `key ${tag}\n` });

describe('replaceKeyAndCertificate', () => {
  it('writes a new pair with the key at 0600 whatever the umask, and keeps no .prev when there was nothing', async () => {
    process.umask(0o000);
    const dir = join(root, 'new', 'tls');
    const files = { certFile: join(dir, 'pop.crt'), keyFile: join(dir, 'pop.key') };
    expect(await replaceKeyAndCertificate(files, pair('one'))).toEqual({});
    expect(readFileSync(files.keyFile, 'utf8')).toBe('key one\n');
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(files.certFile).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['pop.crt', 'pop.key']);
  });

  it('keeps the previous pair as .prev, while a reader that had the old key open still reads it', async () => {
    const dir = join(root, 'rotate');
    const files = { certFile: join(dir, 'pop.crt'), keyFile: join(dir, 'pop.key') };
    await replaceKeyAndCertificate(files, pair('one'));
    const openOld = openSync(files.keyFile, 'r');
    try {
      expect(await replaceKeyAndCertificate(files, pair('two'))).toEqual({ previous: { certFile: `${files.certFile}.prev`, keyFile: `${files.keyFile}.prev` } });
      await replaceKeyAndCertificate(files, pair('three'));
      const buffer = Buffer.alloc(64);
      expect(buffer.subarray(0, readSync(openOld, buffer, 0, 64, 0)).toString()).toBe('key one\n');
    } finally {
      closeSync(openOld);
    }
    expect(readFileSync(files.certFile, 'utf8')).toBe('certificate three\n');
    expect(readFileSync(`${files.certFile}.prev`, 'utf8')).toBe('certificate two\n');
    expect(readFileSync(`${files.keyFile}.prev`, 'utf8')).toBe('key two\n');
    expect(statSync(`${files.keyFile}.prev`).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['pop.crt', 'pop.crt.prev', 'pop.key', 'pop.key.prev']);
  });

  it('changes nothing when the new files cannot be written', async () => {
    const dir = join(root, 'blocked');
    const files = { certFile: join(dir, 'pop.crt'), keyFile: join(dir, 'pop.key') };
    await replaceKeyAndCertificate(files, pair('one'));
    // The certificate's directory is a file, so staging the certificate fails after the key was staged.
    const blocked = { ...files, certFile: join(dir, 'pop.key', 'pop.crt') };
    await expect(replaceKeyAndCertificate(blocked, pair('two'))).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(readFileSync(files.keyFile, 'utf8')).toBe('key one\n');
    expect(readdirSync(dir).sort()).toEqual(['pop.crt', 'pop.key']);
  });
});
