// The Dockerfile cannot be built here (no Docker engine), so this checks what keeps it
// in step with the bare-metal path: it installs through scripts/bootstrap.sh and the
// same package lists, and everything it runs exists in the build output.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dockerfile = readFileSync('Dockerfile', 'utf8');
const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));

/** Dockerfile instructions with continuation lines joined. */
function instructions(): Array<{ keyword: string; args: string }> {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

function only(keyword: string): string {
  const found = instructions().filter((instruction) => instruction.keyword === keyword);
  expect(found, `exactly one ${keyword}`).toHaveLength(1);
  return found[0]!.args;
}

/** The source file tsc compiles to a dist/*.js path. */
function sourceOf(distPath: string): string {
  return distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

describe('Dockerfile', () => {
  it('is Debian bookworm with Node 20', () => {
    expect(only('FROM')).toMatch(/^node:20-bookworm(-slim)?$/);
  });

  it('installs only through scripts/bootstrap.sh --runtime, after copying the repository', () => {
    const steps = instructions();
    const copy = steps.findIndex((step) => step.keyword === 'COPY' && step.args === '. .');
    const bootstrap = steps.findIndex((step) => step.keyword === 'RUN' && /\bscripts\/bootstrap\.sh --runtime\b/.test(step.args));
    expect(copy).toBeGreaterThan(-1);
    expect(bootstrap).toBeGreaterThan(copy);
    for (const step of steps.filter((s) => s.keyword === 'RUN')) {
      // Packages come from scripts/debian-packages/*.txt via the script, never inline.
      expect(step.args).not.toMatch(/apt-get install|apt install|npm (ci|install)\b/);
    }
    expect(existsSync('scripts/bootstrap.sh')).toBe(true);
    expect(readFileSync('scripts/bootstrap.sh', 'utf8')).toContain('scripts/debian-packages/runtime.txt');
  });

  it('runs `vpop up` on the mounted POP file, with a HEALTHCHECK on /healthz', () => {
    expect(JSON.parse(only('ENTRYPOINT'))).toEqual(['node', 'dist/cli/vpop.js']);
    expect(JSON.parse(only('CMD'))).toEqual(['up', '--pop', '/etc/vpop/pop.yaml']);
    const healthcheck = only('HEALTHCHECK');
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4)) as string[];
    expect(command).toEqual(['node', 'dist/platform/ops-http/probe-healthz.js', '/etc/vpop/pop.yaml']);
    for (const script of ['dist/cli/vpop.js', command[1]!]) {
      expect(existsSync(sourceOf(script)), `${sourceOf(script)} exists`).toBe(true);
    }
  });

  it('exposes SIP, TLS and media ports only: no control, ng, rtpengine HTTP or ops port', () => {
    const exposed = only('EXPOSE').split(' ');
    for (const port of ['5060/udp', '5060/tcp', '5061/tcp']) expect(exposed).toContain(port);
    for (const port of ['9022/tcp', '22222/udp', '9101/tcp', '9090/tcp']) expect(exposed).not.toContain(port);
    expect(exposed.some((port) => /^\d+-\d+\/udp$/.test(port))).toBe(true);
  });

  it('does not leave out of the build context what the bootstrap and the build read', () => {
    const buildConfig = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { include: string[] };
    const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'configs',
      ...buildConfig.include.filter((dir) => dir !== 'bench')];
    for (const path of needed) expect(ignored, `${path} must reach the image`).not.toContain(path);
    expect(ignored).toContain('node_modules');
    expect(ignored).toContain('dist');
  });
});
