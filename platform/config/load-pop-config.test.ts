import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, checkPopFile, loadPopConfig } from './load-pop-config.js';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const broken = (name: string) => join(fixtures, 'broken', `${name}.yaml`);

interface Expected {
  line: number;
  column: number;
  path: string;
  message: string | RegExp;
}

// Each broken fixture is fixtures/valid.yaml with one defect; each must report exactly these problems.
const cases: Record<string, Expected[]> = {
  'bad-cidr': [{ line: 13, column: 13, path: 'trunks[0].allow[0]', message: '"127.0.0.2/33" is not a CIDR block: prefix length must be 0..32' }],
  'host-bits-cidr': [{ line: 13, column: 27, path: 'trunks[0].allow[1]', message: '"127.0.0.9/24" has host bits set: did you mean 127.0.0.0/24?' }],
  'bad-ip': [{ line: 7, column: 45, path: 'sip.listeners[0].address', message: '"localhost" is not an IPv4 or IPv6 address literal' }],
  'bad-enum': [{ line: 15, column: 11, path: 'trunks[0].srtp', message: '"maybe" is not one of "required", "optional", "off"' }],
  'wrong-type': [{ line: 16, column: 25, path: 'trunks[0].maxConcurrentCalls', message: 'expected number, got "lots"' }],
  // A missing key points at the object it belongs in.
  'missing-key': [{ line: 12, column: 5, path: 'trunks[0].callsPerSecond', message: 'required field "callsPerSecond" is missing (expected number)' }],
  // An unknown key points at the key itself.
  'unknown-key': [{ line: 16, column: 5, path: 'trunks[0].srtpp', message: 'unknown key "srtpp"; did you mean "srtp"?' }],
  'yaml-syntax': [{ line: 15, column: 11, path: '(yaml)', message: 'YAML: Nested mappings are not allowed in compact mappings' }],
  'duplicate-key': [{ line: 28, column: 3, path: '(yaml)', message: 'YAML: Map keys must be unique' }],
  'duplicate-trunk': [{ line: 18, column: 11, path: 'trunks[1].name', message: 'duplicate trunk name "carrier-one" (first at index 0)' }],
  'missing-cert': [{
    line: 10, column: 13, path: 'tls.certFile',
    message: `file not found: ../files/no-such.crt (looked for ${join(fixtures, 'files', 'no-such.crt')})`,
  }],
  'cert-not-pem': [{ line: 10, column: 13, path: 'tls.certFile', message: 'the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)' }],
  'cert-key-mismatch': [{ line: 11, column: 12, path: 'tls.keyFile', message: 'this key is not the private key of the certificate in tls.certFile' }],
  'expired-cert': [{ line: 10, column: 13, path: 'tls.certFile', message: 'certificate CN=expired.vpop.invalid expired on 2001-01-01T00:00:00.000Z' }],
  // ops.port written as 9022 clashes with engine.controlPort, which the file leaves at its default.
  'port-clash': [{ line: 27, column: 9, path: 'ops.port', message: 'port 9022 on 127.0.0.1 is also used by engine.controlPort (tcp) on 127.0.0.1' }],
  'tls-tcp-port-clash': [{ line: 9, column: 62, path: 'sip.listeners[2].port', message: 'port 5060 on 127.0.0.1 is also used by SIP listener "tcp" (tcp) on 127.0.0.1' }],
  'media-over-ops': [{ line: 27, column: 9, path: 'ops.port', message: 'port 30050 on 127.0.0.1 is inside rtpengine media range 30000-30099 of interface "lo" on 127.0.0.1' }],
  'port-range-reversed': [{ line: 23, column: 12, path: 'rtpengine.portMax', message: 'portMax 29000 is below portMin 30000' }],
  'overlapping-allow': [{ line: 19, column: 13, path: 'trunks[1].allow[0]', message: /^127\.0\.0\.0\/30 of trunk "carrier-two" overlaps 127\.0\.0\.2\/32 of trunk "carrier-one": the trunk of a call from there would be ambiguous/ }],
  'phones-overlap-trunk': [{ line: 19, column: 25, path: 'phones.allow[1]', message: '127.0.0.2/32 of phones overlaps 127.0.0.2/32 of trunk "carrier-one": phones and trunks must come from distinct addresses' }],
  'tls-trunk-without-tls': [
    { line: 14, column: 17, path: 'trunks[0].transports', message: 'trunk "carrier-one" allows only TLS but the file has no tls section (certificate and key)' },
    { line: 14, column: 18, path: 'trunks[0].transports[0]', message: 'trunk "carrier-one" allows tls but no SIP listener uses tls' },
  ],
  'transport-without-listener': [{ line: 17, column: 23, path: 'trunks[0].transports[1]', message: 'trunk "carrier-one" allows tls but no SIP listener uses tls' }],
};

describe('checkPopFile on broken POP files', () => {
  for (const [name, expected] of Object.entries(cases)) {
    it(`${name}: reports file, line, column, path and message`, () => {
      const problems = checkPopFile(broken(name));
      expect(problems).toHaveLength(expected.length);
      problems.forEach((problem, index) => {
        const want = expected[index] as Expected;
        expect(problem.file).toBe(broken(name));
        expect({ line: problem.line, column: problem.column, path: problem.path }).toEqual({ line: want.line, column: want.column, path: want.path });
        if (typeof want.message === 'string') expect(problem.message).toBe(want.message);
        else expect(problem.message).toMatch(want.message);
      });
    });
  }

  it('reports every problem of a file with several, in line order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpop-config-'));
    try {
      const file = join(dir, 'many.yaml');
      writeFileSync(file, [
        'pop: { id: Bad_Id, region: lab }',
        'sip:',
        '  listeners:',
        '    - { name: udp, transport: sctp, address: 127.0.0.1, port: 70000 }',
        'engine: { secret: s, colour: blue }',
        'rtpengine: { httpPort: 9101, interfaces: [{ name: lo, address: 127.0.0.1 }], portMin: 1, portMax: 2 }',
        'ops: { port: 9090 }',
        'stateDir: state',
        '',
      ].join('\n'));
      const problems = checkPopFile(file);
      expect(problems.map((p) => [p.line, p.path])).toEqual([
        [1, 'routingCore'],
        [1, 'pop.id'],
        [4, 'sip.listeners[0].transport'],
        [4, 'sip.listeners[0].port'],
        [5, 'engine.colour'],
      ]);
      expect(problems[0]?.message).toBe('required field "routingCore" is missing (expected object)');
      expect(problems[3]?.message).toBe('must be at most 65535, got 70000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks certificate validity at the given time', () => {
    const file = broken('cert-key-mismatch');
    const early = checkPopFile(file, { now: new Date('2023-06-01T00:00:00Z') });
    expect(early.map((p) => [p.path, p.message])).toEqual([
      ['tls.certFile', 'certificate CN=fixture.vpop.invalid is not valid before 2024-01-01T00:00:00.000Z'],
      ['tls.keyFile', 'this key is not the private key of the certificate in tls.certFile'],
    ]);
    expect(checkPopFile(broken('expired-cert'), { now: new Date('2000-06-01T00:00:00Z') })).toEqual([]);
  });

  it('skips every file check with checkFiles: false', () => {
    for (const name of ['missing-cert', 'cert-not-pem', 'cert-key-mismatch', 'expired-cert']) {
      expect(checkPopFile(broken(name), { checkFiles: false }), name).toEqual([]);
    }
  });

  it('looks up absolutely written paths under root, and relative ones next to the POP file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpop-root-'));
    try {
      const file = join(dir, 'pop.yaml');
      const text = readFileSync(join(fixtures, 'valid.yaml'), 'utf8')
        .replace('engine:\n  secret: fixture-secret\n', 'engine:\n  secretFile: /etc/vpop/engine-secret\ntls:\n  certFile: /etc/vpop/pop.crt\n  keyFile: tls/pop.key\n');
      writeFileSync(file, text);
      expect(checkPopFile(file, { root: dir }).map((p) => p.message)).toEqual([
        `file not found: /etc/vpop/engine-secret (looked for ${join(dir, 'etc/vpop/engine-secret')})`,
        `file not found: /etc/vpop/pop.crt (looked for ${join(dir, 'etc/vpop/pop.crt')})`,
        `file not found: tls/pop.key (looked for ${join(dir, 'tls/pop.key')})`,
      ]);
      mkdirSync(join(dir, 'etc/vpop'), { recursive: true });
      mkdirSync(join(dir, 'tls'));
      copyFileSync(join(fixtures, 'files/pop.crt'), join(dir, 'etc/vpop/pop.crt'));
      copyFileSync(join(fixtures, 'files/pop.key'), join(dir, 'tls/pop.key'));
      writeFileSync(join(dir, 'etc/vpop/engine-secret'), 'secret\n');
      expect(checkPopFile(file, { root: dir })).toEqual([]);
      const loaded = loadPopConfig(file, { root: dir });
      // The loaded config keeps the paths the POP will use on its host; root only redirects the check.
      expect(loaded.tls?.certFile).toBe('/etc/vpop/pop.crt');
      expect(loaded.tls?.keyFile).toBe(join(dir, 'tls/pop.key'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('words range and list-length problems for operators', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpop-config-'));
    try {
      const file = join(dir, 'ranges.yaml');
      writeFileSync(file, readFileSync(join(fixtures, 'valid.yaml'), 'utf8')
        .replace('allow: [127.0.0.2/32]', 'allow: []')
        .replace('maxConcurrentCalls: 10', 'maxConcurrentCalls: 0'));
      expect(checkPopFile(file).map((p) => [p.line, p.path, p.message])).toEqual([
        [13, 'trunks[0].allow', 'needs at least 1 entry'],
        [16, 'trunks[0].maxConcurrentCalls', 'must be at least 1, got 0'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreadable file as a problem rather than throwing', () => {
    const missing = join(fixtures, 'no-such-pop.yaml');
    expect(checkPopFile(missing)).toEqual([{ file: missing, line: 1, column: 1, path: '(root)', message: 'cannot read the POP file (ENOENT)' }]);
  });

  it('reports an empty file as a missing mapping', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpop-config-'));
    try {
      const file = join(dir, 'empty.yaml');
      writeFileSync(file, '# nothing here\n');
      expect(checkPopFile(file)).toEqual([{ file, line: 1, column: 1, path: '(root)', message: 'expected object, got an empty value' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadPopConfig', () => {
  const tempDirs: string[] = [];
  afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('throws a ConfigError whose message lists file:line:column: path: message', () => {
    const file = broken('port-clash');
    let error: unknown;
    try {
      loadPopConfig(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.problems).toHaveLength(1);
    expect(configError.message).toContain(`${file}:27:9: ops.port: port 9022 on 127.0.0.1 is also used by engine.controlPort`);
  });

  it('applies defaults, resolves relative paths against the POP file directory and freezes the result', () => {
    const config = loadPopConfig(join(fixtures, 'valid.yaml'));
    expect(config.stateDir).toBe(join(fixtures, 'state'));
    expect(config.rtpengine.recordingDir).toBe(join(fixtures, 'state', 'recordings'));
    expect(config.rtpengine.binary).toBe('/usr/bin/rtpengine');
    expect(config.engine.controlPort).toBe(9022);
    expect(config.sip.limits.maxMessageBytes).toBe(65_535);
    expect(config.trunks[0]?.srtpSuites).toEqual(['AES_CM_128_HMAC_SHA1_80']);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.trunks[0]?.allow)).toBe(true);
    expect(() => {
      (config.ops as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('resolves the same way whatever the working directory', () => {
    const previous = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'vpop-cwd-'));
    tempDirs.push(dir);
    try {
      process.chdir(dir);
      const local = loadPopConfig(resolve(import.meta.dirname, '../../configs/pops/local.yaml'));
      expect(local.stateDir).toBe(resolve(import.meta.dirname, '../../.vpop/local'));
      expect(local.tls?.certFile).toBe(resolve(import.meta.dirname, '../../.vpop/local/tls/pop.crt'));
    } finally {
      process.chdir(previous);
    }
  });
});
