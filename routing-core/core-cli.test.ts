// `vpop core` as an operator runs it (the built CLI): config errors with file:line, the
// API serving with 401 on protected paths, a clean stop on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtCli, requireBuiltCli, runBuiltCli } from '../test/support/built-cli.js';
import { freePort } from '../test/support/free-port.js';
import { repoRoot } from '../test/support/repo-root.js';
import { waitForValue } from '../test/support/wait-until.js';

const dir = mkdtempSync(join(tmpdir(), 'core-cli-'));
beforeAll(() => requireBuiltCli(['routing-core/start-core.js']));

describe('vpop core', () => {
  it('refuses an invalid core file with file:line:column: field: message and exit status 2', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'queues:\n  - id: q\n    name: Q\n    groups: [{ teams: [nobody] }]\n    ronaSecond: 5\n');
    const run = runBuiltCli(['core', '--config', file], { cwd: repoRoot, timeoutMs: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `${file}:5:5: queues[0].ronaSecond: unknown key "ronaSecond"; did you mean "ronaSeconds"?`,
    ]);
  });

  it('serves the demo contact center: OpenAPI public, protected paths 401; SIGTERM stops it with status 0', async () => {
    const port = await freePort();
    const file = join(dir, 'local.yaml');
    writeFileSync(file, readFileSync(join(repoRoot, 'configs/core/local.yaml'), 'utf8')
      .replace('port: 8080', `port: ${port}`).replace('database: ../../.vpop/local/core.sqlite', `database: ${join(dir, 'core.sqlite')}`));
    const child = spawn(process.execPath, [builtCli, 'core', '--config', file], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VPOP_LOG_LEVEL: 'info' } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForValue(() => (output.includes('routing core serving') ? true : undefined), 'the core to serve', { timeoutMs: 45_000 });
      const openapi = await fetch(`http://127.0.0.1:${port}/openapi.json`);
      expect(openapi.status).toBe(200);
      expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.0.3');
      const protectedPath = await fetch(`http://127.0.0.1:${port}/api/v1/entryPoints`);
      expect(protectedPath.status).toBe(401);
      const signIn = await fetch(`http://127.0.0.1:${port}/api/v1/auth/token`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'admin', password: 'demo' }),
      });
      const { accessToken } = (await signIn.json()) as { accessToken: string };
      const entryPoints = await (await fetch(`http://127.0.0.1:${port}/api/v1/entryPoints`, { headers: { authorization: `Bearer ${accessToken}` } })).json();
      expect(entryPoints).toEqual([{ id: 'main', name: 'Main number', number: '18005550100', flow: 'main-ivr' }]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('hash-password prints a scrypt hash for users[].passwordHash; refuses an empty password', async () => {
    const hashed = spawnSync(process.execPath, [builtCli, 'core', 'hash-password'], { cwd: repoRoot, input: 'correct horse\n', encoding: 'utf8', timeout: 30_000 });
    expect(hashed.status).toBe(0);
    const { verifyPassword } = await import('./entities/password-hash.js');
    expect(await verifyPassword('correct horse', hashed.stdout.trim())).toBe(true);
    const empty = spawnSync(process.execPath, [builtCli, 'core', 'hash-password'], { cwd: repoRoot, input: '', encoding: 'utf8', timeout: 30_000 });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('no password on standard input');
  });
});
