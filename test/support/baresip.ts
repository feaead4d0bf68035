import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exitOf } from './child-exit.js';
import { freePort } from './free-port.js';
import { waitForListeningSocket } from './listening-sockets.js';
import { encodeNetstring, NetstringDecoder } from './netstring.js';

/**
 * Drives baresip 1.0.0 (Debian) as a TLS/SRTP carrier or an agent's phone, as described in
 * /work/shared/notes/baresip.md: one config directory per instance, a WAV tone as the
 * microphone, received audio recorded by sndfile, and control over ctrl_tcp (netstrings).
 */

export const BARESIP_BINARY = '/usr/bin/baresip';
const MODULE_PATH = '/usr/lib/baresip/modules';

export interface BaresipOptions {
  /** Loopback address the instance signals and sends media from, e.g. 127.0.0.2. */
  address: string;
  /** PEM with the certificate and its key: baresip serves TLS with it (for in-dialog requests). */
  certificateAndKeyPem: string;
  /** CA bundle for sip_cafile. */
  caFile?: string;
  /** Frequency of the sine the instance sends as its microphone. */
  toneHz: number;
  /** Seconds of tone before silence; the source is padded to 60 s so calls do not end with it. */
  toneSeconds?: number;
  /** Extra config lines. */
  extraConfig?: string[];
  /** Write every SIP message to the log file (baresip -s). */
  sipTrace?: boolean;
}

export interface BaresipEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  id?: string;
  param?: string;
}

export interface BaresipResponse {
  ok: boolean;
  data: string;
}

export interface BaresipInstance {
  pid: number;
  dir: string;
  address: string;
  /** UDP and TCP SIP port; TLS listens on sipPort + 1. */
  sipPort: number;
  tlsPort: number;
  recordingDir: string;
  logFile: string;
  /** Sends a ctrl_tcp command and resolves with its response. */
  command(command: string, params?: string, timeoutMs?: number): Promise<BaresipResponse>;
  /** Resolves with the next event of this type (optionally matching), or rejects after timeoutMs. */
  waitForEvent(type: string, timeoutMs: number, matches?: (event: BaresipEvent) => boolean): Promise<BaresipEvent>;
  /** Every event received so far, in order. */
  readonly events: readonly BaresipEvent[];
  addAccount(accountLine: string): Promise<BaresipResponse>;
  dial(uri: string): Promise<BaresipResponse>;
  accept(): Promise<BaresipResponse>;
  hangup(): Promise<BaresipResponse>;
  /** Paths of the `*-dec.wav` recordings (audio received and decoded), oldest first. */
  decodedRecordings(): Promise<string[]>;
  /** SIGTERM, a second SIGTERM after graceMs, SIGKILL as a last resort; waits for the exit. */
  stop(graceMs?: number): Promise<void>;
  /** Stops the instance and deletes its directory (config, log, recordings). */
  remove(): Promise<void>;
}

/** Builds an instance's config file; pure so the mapping from options to lines is testable. */
export function baresipConfig(settings: {
  address: string;
  sipPort: number;
  controlPort: number;
  rtpPorts: [number, number];
  certificateFile: string;
  caFile?: string;
  audioSource: string;
  recordingDir: string;
  id: string;
  extraConfig?: string[];
}): string {
  const lines = [
    'poll_method epoll',
    `sip_listen ${settings.address}:${settings.sipPort}`,
    `sip_certificate ${settings.certificateFile}`,
    ...(settings.caFile ? [`sip_cafile ${settings.caFile}`] : []),
    `audio_player aubridge,null-${settings.id}`,
    `audio_source aufile,${settings.audioSource}`,
    `audio_alert aubridge,alert-${settings.id}`,
    'ausrc_format s16',
    'auplay_format s16',
    'auenc_format s16',
    'audec_format s16',
    `rtp_ports ${settings.rtpPorts[0]}-${settings.rtpPorts[1]}`,
    'rtcp_mux no',
    `net_interface ${settings.address}`,
    `module_path ${MODULE_PATH}`,
    'module g711.so',
    'module aufile.so',
    'module aubridge.so',
    'module sndfile.so',
    'module srtp.so',
    'module_tmp uuid.so',
    'module_tmp account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${settings.controlPort}`,
    `snd_path ${settings.recordingDir}`,
    'statmode_default off',
    'ringback_disabled yes',
    ...(settings.extraConfig ?? []),
  ];
  return `${lines.join('\n')}\n`;
}

/** A port whose successor is free too on address (baresip's TLS listener is sip_listen + 1). */
async function freePortPair(address: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort(address);
    const nextFree = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port + 1, address, () => server.close(() => resolve(true)));
    });
    if (nextFree && port + 1 < 65536) return port;
  }
  throw new Error(`no pair of free ports on ${address}`);
}

/** Writes an 8 kHz mono 16-bit WAV (what aufile requires) with a sine, padded with silence to 60 s. */
export async function writeToneWav(path: string, hz: number, toneSeconds: number): Promise<void> {
  const padding = Math.max(0, 60 - toneSeconds);
  await promisify(execFile)('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', path, 'synth', String(toneSeconds), 'sine', String(hz), 'pad', '0', String(padding)]);
}

interface Waiter {
  type: string;
  matches: (event: BaresipEvent) => boolean;
  resolve: (event: BaresipEvent) => void;
}

/** Connects to ctrl_tcp, correlating responses by token and fanning events out to waiters. */
class BaresipControl {
  private readonly decoder = new NetstringDecoder();
  private readonly pendingResponses = new Map<string, (response: BaresipResponse) => void>();
  private readonly waiters = new Set<Waiter>();
  readonly events: BaresipEvent[] = [];
  private nextToken = 1;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const payload of this.decoder.push(chunk)) this.dispatch(JSON.parse(payload) as Record<string, unknown>);
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<BaresipControl> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new BaresipControl(socket);
  }

  private dispatch(message: Record<string, unknown>): void {
    if (message.response === true) {
      const token = typeof message.token === 'string' ? message.token : '';
      const resolve = this.pendingResponses.get(token);
      this.pendingResponses.delete(token);
      resolve?.({ ok: message.ok === true, data: typeof message.data === 'string' ? message.data : '' });
      return;
    }
    if (message.event !== true || typeof message.type !== 'string') return;
    const event = message as unknown as BaresipEvent;
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.type === event.type && waiter.matches(event)) {
        this.waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  }

  command(command: string, params: string | undefined, timeoutMs: number): Promise<BaresipResponse> {
    const token = `t${this.nextToken++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingResponses.delete(token);
        reject(new Error(`baresip did not answer ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingResponses.set(token, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      this.socket.write(encodeNetstring(JSON.stringify({ command, ...(params === undefined ? {} : { params }), token })));
    });
  }

  waitForEvent(type: string, timeoutMs: number, matches: (event: BaresipEvent) => boolean): Promise<BaresipEvent> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        type,
        matches,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.events.map((event) => event.type).join(', ');
        reject(new Error(`no ${type} event within ${timeoutMs} ms (events so far: ${seen || 'none'})`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export async function startBaresip(options: BaresipOptions): Promise<BaresipInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'baresip-'));
  const recordingDir = join(dir, 'rec');
  await mkdir(recordingDir);
  const certificateFile = join(dir, 'cert.pem');
  await writeFile(certificateFile, options.certificateAndKeyPem, { mode: 0o600 });
  const audioSource = join(dir, 'tone.wav');
  await writeToneWav(audioSource, options.toneHz, options.toneSeconds ?? 10);
  const sipPort = await freePortPair(options.address);
  const controlPort = await freePort();
  const rtpBase = 20000 + 2 * Math.floor(Math.random() * 10000);
  await writeFile(join(dir, 'accounts'), '');
  await writeFile(join(dir, 'config'), baresipConfig({
    address: options.address, sipPort, controlPort, rtpPorts: [rtpBase, rtpBase + 199], certificateFile,
    caFile: options.caFile, audioSource, recordingDir, id: `${options.address}-${sipPort}`, extraConfig: options.extraConfig,
  }));

  const logFile = join(dir, 'log.txt');
  const log = createWriteStream(logFile);
  const child = spawn(BARESIP_BINARY, ['-f', dir, ...(options.sipTrace ? ['-s'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid!;
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const exited = exitOf(child);

  let control: BaresipControl | undefined;
  const stop = async (graceMs = 3000): Promise<void> => {
    control?.close();
    if (alive()) {
      process.kill(pid, 'SIGTERM');
      // baresip waits up to ~30 s for pending transactions on the first SIGTERM; a second one exits at once.
      const second = setTimeout(() => alive() && process.kill(pid, 'SIGTERM'), graceMs);
      const last = setTimeout(() => alive() && process.kill(pid, 'SIGKILL'), graceMs * 2);
      await exited;
      clearTimeout(second);
      clearTimeout(last);
    }
    await new Promise<void>((resolve) => log.end(resolve));
  };

  try {
    await waitForListeningSocket('tcp', '127.0.0.1', controlPort, 5000, alive);
    control = await BaresipControl.open(controlPort);
  } catch (error) {
    await stop();
    throw error;
  }
  const ctrl = control;
  const command = (name: string, params?: string, timeoutMs = 5000) => ctrl.command(name, params, timeoutMs);
  return {
    pid,
    dir,
    address: options.address,
    sipPort,
    tlsPort: sipPort + 1,
    recordingDir,
    logFile,
    command,
    waitForEvent: (type, timeoutMs, matches = () => true) => ctrl.waitForEvent(type, timeoutMs, matches),
    get events() {
      return ctrl.events;
    },
    addAccount: (accountLine) => command('uanew', accountLine),
    dial: (uri) => command('dial', uri),
    accept: () => command('accept'),
    hangup: () => command('hangup'),
    decodedRecordings: async () =>
      (await readdir(recordingDir))
        .filter((name) => name.endsWith('-dec.wav'))
        .sort()
        .map((name) => join(recordingDir, name)),
    stop,
    remove: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
