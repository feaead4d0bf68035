// `vpop engine` as drachtio-server's drop-in: what it says about a control address
// that is not loopback. 192.0.2.1 (TEST-NET-1) is not on this host, so the bind fails
// after the warning and nothing is ever opened beyond loopback.
import { describe, expect, it } from 'vitest';
import { requireBuiltCli, runBuiltCli } from '../../test/support/built-cli.js';
import { freePort } from '../../test/support/free-port.js';
import { repoRoot } from '../../test/support/repo-root.js';

describe('vpop engine control address', () => {
  it('warns loudly, on stderr and in its log, when the control protocol is not on loopback', async () => {
    requireBuiltCli([]);
    const sip = await freePort();
    const run = runBuiltCli(
      ['engine', '--contact', `sip:127.0.0.1:${sip};transport=udp`, '--address', '192.0.2.1', '--port', String(await freePort()), '--secret', 'x'],
      { cwd: repoRoot, timeoutMs: 30_000 },
    );
    expect(run.stderr).toContain('vpop engine: WARNING: the control protocol listens on 192.0.2.1, not loopback, WITHOUT TLS');
    expect(run.stdout).toMatch(/"level":"warn".*not loopback, WITHOUT TLS/);
    expect(run.status).toBe(1);
  });

  it('says nothing of the kind on loopback', () => {
    const run = runBuiltCli(['engine', '--address', '127.0.0.1', '--port', '70000', '--secret', 'x'], { cwd: repoRoot, timeoutMs: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).not.toContain('WARNING');
  });
});
