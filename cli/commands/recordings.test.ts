// `vpop recordings` as an operator runs it (the built CLI), on a store holding a recording
// joined from rtpengine-format pcap segments.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runBuiltCli } from '../../test/support/built-cli.js';
import { dominantTone } from '../../test/support/tone-detect.js';
import { RecordingStore } from '../../media/recording/recording-store.js';
import { spoolCallIdName } from '../../media/recording/rtpengine-spool.js';
import { syntheticRtpPcap } from '../../media/testing/pcap-writer.js';

let dir: string;
let stateDir: string;
let popFile: string;
let keyFile: string;
let recent: string;
let old: string;

function cli(...args: string[]) {
  return runBuiltCli(['recordings', ...args], { cwd: dir, timeoutMs: 30_000 });
}

function writeKey(name: string): string {
  const file = join(dir, name);
  writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  requireBuiltCli(['cli/commands/recordings.js']);
  dir = mkdtempSync(join(tmpdir(), 'vpop-recordings-cli-'));
  stateDir = join(dir, 'state');
  keyFile = writeKey('master.key');
  popFile = join(dir, 'pop.yaml');
  writeFileSync(popFile, `pop: { id: rec, region: lab }
sip: { listeners: [{ name: udp, transport: udp, address: 127.0.0.1, port: 5999 }] }
engine: { secret: s }
rtpengine: { httpPort: 9999, interfaces: [{ name: lo, address: 127.0.0.1 }], portMin: 30000, portMax: 30099 }
routingCore: { sipUri: 'sip:127.0.0.1:5070', listener: { name: core, transport: udp, address: 127.0.0.1, port: 5998 } }
ops: { port: 9998 }
recordings: { masterKeyFile: master.key, retentionDays: 30 }
stateDir: state
`);
  const spoolDir = join(stateDir, 'recording-spool');
  mkdirSync(join(spoolDir, 'pcaps'), { recursive: true });
  const store = new RecordingStore({ dir: join(stateDir, 'recordings'), spoolDir, masterKey: Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex'), retentionDays: 30 });
  const record = async (callId: string, at: number): Promise<string> => {
    const id = store.begin({ callId, dialledNumber: '18005550100', caller: '+15551230000', agent: 'agent-7', queue: 'sales' }, 'flow', at);
    store.ports(id, new Map([[30000, 'caller'], [30002, 'agent']]));
    writeFileSync(join(spoolDir, 'pcaps', `${spoolCallIdName(callId)}-0123456789abcdef.pcap`), syntheticRtpPcap([
      { port: 30000, frequency: 700, ssrc: 1, firstTimestamp: 0 }, { port: 30002, frequency: 1100, ssrc: 2, firstTimestamp: 99 },
    ], at, 1));
    store.event(id, 'stop', 'agent-7', at + 1000);
    await store.finish(id, 'complete', at + 1000);
    return id;
  };
  recent = await record('recent@h', Date.now() - 60_000);
  old = await record('old@h', Date.now() - 40 * 86_400_000);
  store.close();
});

describe('vpop recordings', () => {
  it('has help for list, get and purge', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    for (const command of ['list', 'get', 'purge', 'rekey']) expect(help.stdout).toContain(command);
  });

  it('lists recordings with metadata, the caller only on request', () => {
    const list = cli('list', '--pop', popFile);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain(recent);
    expect(list.stdout).toContain('agent=agent-7');
    expect(list.stdout).not.toContain('+15551230000');
    const json = cli('list', '--pop', popFile, '--json', '--show-caller').stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(json.find((entry) => entry.id === recent)).toMatchObject({ caller: '+15551230000', status: 'complete', queue: 'sales', events: [{ action: 'start' }, { action: 'stop' }] });
  });

  it('decrypts a recording to a stereo WAV, and refuses a wrong key or a path inside the state directory', () => {
    const out = join(dir, 'recent.wav');
    const get = cli('get', recent, '--pop', popFile, '--out', out);
    expect(get.status, get.stderr).toBe(0);
    const wav = readFileSync(out);
    const frames = (wav.length - 44) / 4;
    const left = Int16Array.from({ length: frames }, (_, index) => wav.readInt16LE(44 + index * 4));
    const right = Int16Array.from({ length: frames }, (_, index) => wav.readInt16LE(46 + index * 4));
    expect(dominantTone(left, 8000, [700, 1100]).frequency).toBe(700);
    expect(dominantTone(right, 8000, [700, 1100]).frequency).toBe(1100);

    const wrong = cli('get', recent, '--pop', popFile, '--key-file', writeKey('other.key'), '--out', join(dir, 'wrong.wav'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^vpop recordings get: the master key \(id [0-9a-f]{16}\) does not open the data key of recording/);
    expect(existsSync(join(dir, 'wrong.wav'))).toBe(false);

    const inside = cli('get', recent, '--pop', popFile, '--out', join(stateDir, 'clear.wav'));
    expect(inside.status).toBe(1);
    expect(inside.stderr).toContain('must never hold a recording in clear');
    expect(cli('get', 'no-such-id', '--pop', popFile, '--out', join(dir, 'x.wav')).stderr).toContain('no recording no-such-id');
  });

  it('re-wraps the keys for a new master key, then purges what is past retention', () => {
    const newKey = writeKey('new.key');
    const rekey = cli('rekey', '--pop', popFile, '--new-key-file', newKey);
    expect(rekey.status, rekey.stderr).toBe(0);
    expect(JSON.parse(rekey.stdout)).toEqual({ rewrapped: 2 });
    expect(cli('get', recent, '--pop', popFile, '--out', join(dir, 'old-key.wav')).status).toBe(1);
    expect(cli('get', recent, '--pop', popFile, '--key-file', newKey, '--out', join(dir, 'new-key.wav')).status).toBe(0);

    const purge = cli('purge', '--pop', popFile, '--key-file', newKey);
    expect(purge.status, purge.stderr).toBe(0);
    expect(JSON.parse(purge.stdout)).toEqual({ removed: [old] });
    expect(existsSync(join(stateDir, 'recordings', `${old}.vrec`))).toBe(false);
  });
});
