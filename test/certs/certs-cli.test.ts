// Drives the built `vpop certs` command as an operator would: first run, CA and
// issuing with an openssl-made CSR, the CSR/install flow, rotation, show, and errors.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPopFile } from '../../platform/config/load-pop-config.js';
import { requireBuiltCli, runBuiltCli, type CliRun } from '../support/built-cli.js';
import { writeTestPopFile } from './test-pop-file.js';

const root = mkdtempSync(join(tmpdir(), 'vpop-certs-cli-'));

function vpop(...args: string[]): CliRun {
  return runBuiltCli(args, { cwd: root, timeoutMs: 60_000 });
}

function popIn(name: string): { file: string; certFile: string; keyFile: string } {
  const dir = join(root, name);
  mkdirSync(dir);
  return { file: writeTestPopFile(dir), certFile: join(dir, 'tls/pop.crt'), keyFile: join(dir, 'tls/pop.key') };
}

function shownFingerprint(file: string): string {
  const result = vpop('certs', 'show', '--json', file);
  expect(result.status).toBe(0);
  const [summary] = JSON.parse(result.stdout) as { fingerprintSha256: string }[];
  return summary?.fingerprintSha256 ?? '';
}

beforeAll(() => {
  requireBuiltCli(['cli/commands/certs.js']);
}, 200_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('vpop certs ensure', () => {
  it('makes the first-run certificate once; a second run changes nothing (same fingerprint)', () => {
    const pop = popIn('ensure');
    const first = vpop('certs', 'ensure', '--pop', pop.file);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`created: ${pop.certFile} and ${pop.keyFile}`);
    expect(first.stdout).toContain('issued by a new local CA');
    const fingerprint = shownFingerprint(pop.certFile);

    const second = vpop('certs', 'ensure', '--pop', pop.file);
    expect(second).toMatchObject({ status: 0, stdout: `present: ${pop.certFile} (nothing changed)\n` });
    expect(shownFingerprint(pop.certFile)).toBe(fingerprint);
    expect(vpop('config', 'check', pop.file)).toMatchObject({ status: 0, stdout: `ok: ${pop.file} (pop local)\n` });
  });

  it('check passes a fresh certificate and fails one with too few days left', () => {
    const pop = popIn('check');
    expect(vpop('certs', 'ensure', '--pop', pop.file).status).toBe(0);
    const fresh = vpop('certs', 'check', '--pop', pop.file);
    expect(fresh).toMatchObject({ status: 0, stderr: '' });
    expect(fresh.stdout).toMatch(new RegExp(`^ok: ${pop.certFile} \\((364|365) days left\\)\n$`));
    const demanding = vpop('certs', 'check', '--pop', pop.file, '--min-days', '400');
    expect(demanding.status).toBe(1);
    expect(demanding.stdout).toMatch(new RegExp(`^${pop.certFile}: expires on .*, in (364|365) days \\(less than 400\\); rotate it\n$`));
  });

  it('exits 2 with the file, line and field for a broken POP file', () => {
    const file = join(root, 'broken.yaml');
    writeFileSync(file, readFileSync(writeTestPopFile(mkdtempSync(join(root, 'b-'))), 'utf8').replace('minVersion: TLSv1.2', 'minVersion: SSLv3'));
    const result = vpop('certs', 'ensure', '--pop', file);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${file}:\\d+:\\d+: tls.minVersion: "SSLv3" is not one of`));
  });
});

describe('vpop certs ca create / issue / show', () => {
  it('issues a carrier client certificate from an openssl CSR whose fingerprint a POP file accepts', () => {
    expect(vpop('certs', 'ca', 'create', '--out', join(root, 'ca'), '--cn', 'Ops CA', '--key-bits', '2048').status).toBe(0);
    execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(root, 'carrier.key'), '-out', join(root, 'carrier.csr'), '-subj', '/CN=carrier-a'], { stdio: 'pipe' });
    const issued = vpop('certs', 'issue', '--ca', join(root, 'ca'), '--csr', join(root, 'carrier.csr'), '--usage', 'client', '--days', '90', '--out', join(root, 'carrier.crt'));
    expect(issued.stderr).toBe('');
    expect(issued.stdout).toMatch(/subject: +CN=carrier-a\nissuer: +CN=Ops CA/);
    expect(execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', join(root, 'ca/ca.crt'), join(root, 'carrier.crt')], { encoding: 'utf8' })).toContain('OK');

    const fingerprint = shownFingerprint(join(root, 'carrier.crt'));
    expect(fingerprint).toBe(new X509Certificate(readFileSync(join(root, 'carrier.crt'))).fingerprint256);
    const text = vpop('certs', 'show', join(root, 'carrier.crt')).stdout;
    expect(text).toContain(`sha256:       ${fingerprint}`);
    expect(text).toMatch(/not after: .*\((89|90) days left\)/);

    // The form `show` prints is the one trunks[].clientCert.fingerprintSha256 validates.
    const pop = popIn('fingerprint');
    expect(vpop('certs', 'ensure', '--pop', pop.file).status).toBe(0);
    writeFileSync(pop.file, readFileSync(pop.file, 'utf8').replace(
      '    maxConcurrentCalls: 50\n',
      `    maxConcurrentCalls: 50\n    clientCert: { fingerprintSha256: "${fingerprint}" }\n`,
    ));
    expect(readFileSync(pop.file, 'utf8')).toContain(fingerprint);
    expect(checkPopFile(pop.file)).toEqual([]);
  });

  it('never overwrites a CA and names what is wrong with a bad request', () => {
    const again = vpop('certs', 'ca', 'create', '--out', join(root, 'ca'));
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(`vpop certs ca create: ${join(root, 'ca')} already exists; a CA is never overwritten (move it away first to make a new one)\n`);
    writeFileSync(join(root, 'garbage.csr'), 'hello\n');
    const garbage = vpop('certs', 'issue', '--ca', join(root, 'ca'), '--csr', join(root, 'garbage.csr'));
    expect(garbage.status).toBe(1);
    expect(garbage.stderr).toMatch(/^vpop certs issue: .*garbage.csr is not a PEM certificate request/);
    const noCa = vpop('certs', 'issue', '--ca', join(root, 'nowhere'), '--csr', join(root, 'carrier.csr'));
    expect(noCa).toMatchObject({ status: 1, stderr: `vpop certs issue: cannot read ${join(root, 'nowhere/ca.crt')} (ENOENT)\n` });
    const badDays = vpop('certs', 'issue', '--ca', join(root, 'ca'), '--csr', join(root, 'carrier.csr'), '--days', 'ten');
    expect(badDays.status).toBe(1);
    expect(badDays.stderr).toContain("option '--days <n>' argument 'ten' is invalid. expected a whole number of days, at least 1");
  });
});

describe('vpop certs csr / install / rotate', () => {
  it('takes a POP through CSR, issuing by a separate CA, install, then rotation from that CA', () => {
    const pop = popIn('lifecycle');
    expect(vpop('certs', 'ensure', '--pop', pop.file).status).toBe(0);
    const firstRun = shownFingerprint(pop.certFile);

    const csr = vpop('certs', 'csr', '--pop', pop.file, '--out', join(root, 'lifecycle.csr'));
    expect(csr.status).toBe(0);
    expect(csr.stderr).toContain(`new private key: ${pop.keyFile}.next`);
    const request = execFileSync('openssl', ['req', '-in', join(root, 'lifecycle.csr'), '-noout', '-verify', '-subject', '-text'], { encoding: 'utf8', stdio: 'pipe' });
    expect(request).toContain('subject=CN = local, O = VPOP local');
    expect(request).toContain('IP Address:127.0.0.1');

    expect(vpop('certs', 'ca', 'create', '--out', join(root, 'pop-ca'), '--key-bits', '2048').status).toBe(0);
    expect(vpop('certs', 'issue', '--ca', join(root, 'pop-ca'), '--csr', join(root, 'lifecycle.csr'), '--out', join(root, 'lifecycle.crt')).status).toBe(0);
    const installed = vpop('certs', 'install', '--pop', pop.file, '--cert', join(root, 'lifecycle.crt'), '--key', `${pop.keyFile}.next`);
    expect(installed.stderr).toBe('');
    expect(installed.stdout).toContain(`previous pair kept as ${pop.certFile}.prev and ${pop.keyFile}.prev`);
    // No second copy of the live private key stays behind.
    expect(existsSync(`${pop.keyFile}.next`)).toBe(false);
    expect(installed.stdout).toContain(`removed ${pop.keyFile}.next`);
    expect(shownFingerprint(pop.certFile)).toBe(shownFingerprint(join(root, 'lifecycle.crt')));
    expect(shownFingerprint(`${pop.certFile}.prev`)).toBe(firstRun);
    expect(execFileSync('openssl', ['verify', '-CAfile', join(root, 'pop-ca/ca.crt'), pop.certFile], { encoding: 'utf8' })).toContain('OK');

    const rotated = vpop('certs', 'rotate', '--pop', pop.file, '--ca', join(root, 'pop-ca'), '--days', '30');
    expect(rotated.stderr).toBe('');
    expect(rotated.stdout).toMatch(/^rotated: CN=local, O=VPOP local, valid until /);
    expect(shownFingerprint(`${pop.certFile}.prev`)).toBe(shownFingerprint(join(root, 'lifecycle.crt')));
    expect(execFileSync('openssl', ['verify', '-CAfile', join(root, 'pop-ca/ca.crt'), pop.certFile], { encoding: 'utf8' })).toContain('OK');
    expect(checkPopFile(pop.file)).toEqual([]);
  });

  it('refuses to rotate without a CA and says where it looked', () => {
    const pop = popIn('no-ca');
    const result = vpop('certs', 'rotate', '--pop', pop.file);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`vpop certs rotate: cannot read ${join(root, 'no-ca/state/ca/ca.crt')} (ENOENT)\n`);
  });
});

describe('vpop certs --help', () => {
  it('describes every subcommand', () => {
    const top = vpop('certs', '--help');
    expect(top.status).toBe(0);
    for (const sub of ['ca', 'csr', 'issue', 'ensure', 'rotate', 'install', 'check', 'show']) expect(top.stdout).toMatch(new RegExp(`\\n  ${sub} `));
    for (const sub of [['ca', 'create'], ['csr'], ['issue'], ['ensure'], ['rotate'], ['install'], ['check'], ['show']]) {
      const help = vpop('certs', ...sub, '--help');
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/^Usage: vpop certs /);
    }
    expect(vpop('--help').stdout).toContain('certs');
  });
});
