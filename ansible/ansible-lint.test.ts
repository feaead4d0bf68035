// The roles and the playbook pass ansible-lint (production profile), offline.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('ansible/', () => {
  it('passes ansible-lint', () => {
    const run = spawnSync('ansible-lint', ['--offline', 'site.yml', 'roles'], {
      cwd: import.meta.dirname, encoding: 'utf8', timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: `${import.meta.dirname}/ansible.cfg` },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/Passed with production profile: 0 failure\(s\), 0 warning\(s\)/);
  });
});
