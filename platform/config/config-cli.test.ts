// Drives the built `vpop config` command as an operator or CI would run it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runBuiltCli, type CliRun } from '../../test/support/built-cli.js';
import { repoRoot as repo } from '../../test/support/repo-root.js';

const brokenDir = join(import.meta.dirname, 'fixtures/broken');
const shipped = ['local.yaml', 'nyc1-a.yaml', 'nyc1-b.yaml'].map((name) => `configs/pops/${name}`);

function vpop(...args: string[]): CliRun {
  return runBuiltCli(args, { cwd: repo, timeoutMs: 30_000 });
}

let stage: string;

beforeAll(() => {
  requireBuiltCli(['platform/config/load-pop-config.js']);
  // A staged deployment tree holding what the nyc1 files name under /etc/vpop (test
  // certificates from fixtures/files: the check parses them and matches key to certificate).
  stage = mkdtempSync(join(tmpdir(), 'vpop-stage-'));
  const files = join(import.meta.dirname, 'fixtures/files');
  const staged: Record<string, string> = {
    'etc/vpop/tls/nyc1-a.crt': 'pop.crt', 'etc/vpop/tls/nyc1-a.key': 'pop.key',
    'etc/vpop/tls/nyc1-b.crt': 'pop.crt', 'etc/vpop/tls/nyc1-b.key': 'pop.key',
    'etc/vpop/tls/chain.pem': 'pop.crt', 'etc/vpop/tls/carriers-ca.pem': 'pop.crt', 'etc/vpop/tls/pop-ca.pem': 'pop.crt',
  };
  for (const [path, source] of Object.entries(staged)) {
    mkdirSync(dirname(join(stage, path)), { recursive: true });
    copyFileSync(join(files, source), join(stage, path));
  }
  mkdirSync(join(stage, 'etc/vpop/secrets'), { recursive: true });
  writeFileSync(join(stage, 'etc/vpop/secrets/engine-secret'), 'staged-secret\n');
}, 180_000);

afterAll(() => {
  if (stage) rmSync(stage, { recursive: true, force: true });
});

describe('vpop config check', () => {
  it('passes the shipped POP files (nyc1 checked against a staged /etc/vpop tree)', () => {
    const result = vpop('config', 'check', '--root', stage, ...shipped);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe([
      'ok: configs/pops/local.yaml (pop local)',
      'ok: configs/pops/nyc1-a.yaml (pop nyc1-a)',
      'ok: configs/pops/nyc1-b.yaml (pop nyc1-b)',
      '',
    ].join('\n'));
    expect(result.status).toBe(0);
  });

  it('names each missing file of the nyc1 pair when checked without the staged tree', () => {
    const result = vpop('config', 'check', 'configs/pops/nyc1-a.yaml');
    expect(result.status).toBe(1);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      'configs/pops/nyc1-a.yaml:35:13  tls.certFile  file not found: /etc/vpop/tls/nyc1-a.crt',
      'configs/pops/nyc1-a.yaml:36:12  tls.keyFile  file not found: /etc/vpop/tls/nyc1-a.key',
      'configs/pops/nyc1-a.yaml:37:14  tls.chainFile  file not found: /etc/vpop/tls/chain.pem',
      'configs/pops/nyc1-a.yaml:38:11  tls.caFile  file not found: /etc/vpop/tls/carriers-ca.pem',
      'configs/pops/nyc1-a.yaml:47:15  engine.secretFile  file not found: /etc/vpop/secrets/engine-secret',
      'configs/pops/nyc1-a.yaml:111:11  routingCore.caFile  file not found: /etc/vpop/tls/pop-ca.pem',
    ]);
  });

  it('--no-files skips only the file checks', () => {
    expect(vpop('config', 'check', '--no-files', 'configs/pops/nyc1-b.yaml')).toMatchObject({ status: 0, stdout: 'ok: configs/pops/nyc1-b.yaml (pop nyc1-b)\n' });
    const broken = vpop('config', 'check', '--no-files', 'platform/config/fixtures/broken/port-clash.yaml');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain('port-clash.yaml:27:9  ops.port  port 9022 on 127.0.0.1 is also used by engine.controlPort (tcp)');
  });

  it('prints every problem of every broken fixture as file:line:col  path  message and exits 1', () => {
    const files = readdirSync(brokenDir).filter((name) => name.endsWith('.yaml')).sort().map((name) => `platform/config/fixtures/broken/${name}`);
    expect(files.length).toBeGreaterThanOrEqual(15);
    const result = vpop('config', 'check', ...files);
    expect(result.status).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^platform\/config\/fixtures\/broken\/[a-z-]+\.yaml:\d+:\d+ {2}\S+ {2}\S/);
    // Every broken file is reported, none passes.
    for (const file of files) expect(lines.some((line) => line.startsWith(`${file}:`)), file).toBe(true);
    expect(result.stdout).not.toContain('ok: ');
    expect(lines).toContain('platform/config/fixtures/broken/bad-cidr.yaml:13:13  trunks[0].allow[0]  "127.0.0.2/33" is not a CIDR block: prefix length must be 0..32');
    expect(lines).toContain('platform/config/fixtures/broken/unknown-key.yaml:16:5  trunks[0].srtpp  unknown key "srtpp"; did you mean "srtp"?');
    expect(lines).toContain('platform/config/fixtures/broken/media-over-ops.yaml:27:9  ops.port  port 30050 on 127.0.0.1 is inside rtpengine media range 30000-30099 of interface "lo" on 127.0.0.1');
    expect(lines).toContain('platform/config/fixtures/broken/yaml-syntax.yaml:15:11  (yaml)  YAML: Nested mappings are not allowed in compact mappings');
  });

  it('reports good and bad files in one run and still exits 1', () => {
    const result = vpop('config', 'check', 'configs/pops/local.yaml', 'platform/config/fixtures/broken/duplicate-trunk.yaml');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe([
      'ok: configs/pops/local.yaml (pop local)',
      'platform/config/fixtures/broken/duplicate-trunk.yaml:18:11  trunks[1].name  duplicate trunk name "carrier-one" (first at index 0)',
      '',
    ].join('\n'));
  });

  it('checks files given together as a redundant pair', () => {
    const result = vpop('config', 'check', 'platform/config/fixtures/broken-pair/pair-a.yaml', 'platform/config/fixtures/broken-pair/pair-b.yaml');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('platform/config/fixtures/broken-pair/pair-b.yaml:37:9  redundancy.role  both pair-a and pair-b are primary: one must be primary, the other secondary\n');
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(4);
  });

  it('explains itself in --help', () => {
    const help = vpop('config', 'check', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--root <dir>');
    expect(help.stdout).toContain('--no-files');
    const prose = help.stdout.replace(/\s+/g, ' ');
    expect(prose).toContain('Relative paths resolve against the POP file\'s directory');
    expect(prose).toContain('checked against each other');
  });

  it('passes every example of its --help as written, from the repository root (the --root one against a staged tree)', () => {
    const help = vpop('config', 'check', '--help').stdout;
    const examples = help.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('vpop config check '));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) {
      // The shell expands the glob, as it would for an operator.
      const args = execFileSync('bash', ['-c', `printf '%s\\0' ${example.slice('vpop '.length).replace('build/stage', stage)}`], { cwd: repo, encoding: 'utf8' })
        .split('\0').filter((arg) => arg !== '');
      const run = vpop(...args);
      expect(run.status, `${example}\n${run.stdout}${run.stderr}`).toBe(0);
    }
  });
});

describe('vpop --version', () => {
  it('prints the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    const run = vpop('--version');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });
});

describe('vpop config schema', () => {
  it('prints the committed JSON Schema', () => {
    const result = vpop('config', 'schema');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(repo, 'configs/pops/pop.schema.json'), 'utf8'));
    expect(JSON.parse(result.stdout)).toMatchObject({ title: 'VPOP POP configuration', additionalProperties: false });
  });
});
