// A bounded fuzz run of the drachtio control-protocol reader: one million mutated
// real control streams through the framing reader, the message parser and the
// lenient parser of apps' SIP text. Only the three documented errors may be thrown,
// no input may be slow, buffering stays bounded, and heap use after GC stays flat.
// A second, smaller run sends mutated streams to a live ControlServer, which must
// keep serving well-behaved apps.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMutator } from '../fuzz/mutator.js';
import { ControlFrameError, ControlFrameReader, encodeFrame } from '../../edge/engine/control/control-frame.js';
import { ControlMessageError, parseAppMessage } from '../../edge/engine/control/control-message.js';
import { AppSipTextError, parseAppSipText } from '../../edge/engine/control/app-sip-text.js';
import { ControlServer } from '../../edge/engine/control/control-server.js';
import { freePort } from '../support/free-port.js';

const SEED = 0xd7ac7100;
const TOTAL = 1_000_000;
const CHUNK = 25_000;
const SLOWEST_ALLOWED_MS = 100;
const HEAP_GROWTH_ALLOWED = 32 * 1024 * 1024;
const MAX_FRAME = 64 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const INVITE = [
  'INVITE sip:15550002222@127.0.0.1:5090 SIP/2.0',
  'From: <sip:15550001111@localhost>', 'To: <sip:15550002222@127.0.0.1>', 'Content-Type: application/sdp',
  'X-Custom: a|b', '', 'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', '',
].join('\r\n');
const RESPONSE = 'SIP/2.0 200 OK\r\nContact: <sip:127.0.0.1:5060>\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\r\n';

/** Real streams an app sends: several frames each, as drachtio-srf writes them. */
const CORPUS: Buffer[] = [
  Buffer.concat([encodeFrame('9b2c|authenticate|cymru|tag1,tag2'), encodeFrame('9b2d|route|invite'), encodeFrame('9b2e|route|cdr:stop')]),
  Buffer.concat([encodeFrame('a1|ping'), encodeFrame('a2|remove_route|options')]),
  encodeFrame(`b1|sip|||sip:127.0.0.1:5070\r\n${INVITE}`),
  encodeFrame(`b2|sip|txn-1|\r\n${RESPONSE}`),
  encodeFrame('b3|sip||call-1;from-tag=abc\r\nBYE sip:placeholder SIP/2.0\r\n\r\n'),
  encodeFrame('b4|sip|txn-2|\r\nCANCEL sip:bob@127.0.0.1 SIP/2.0\r\nReason: SIP;cause=487\r\n\r\n'),
  encodeFrame(`b5|proxy|txn-3|remainInDialog||followRedirects|simultaneous|2s|30s|sip:a@127.0.0.1|sip:b@127.0.0.1\r\n${INVITE}`),
  encodeFrame('c1|response|x|OK|udp/127.0.0.1:5060'),
];

const ALLOWED_ERRORS = [ControlFrameError, ControlMessageError, AppSipTextError];

/** Feed one stream in chunks and parse every payload; a string describes a failure. */
function runOne(input: Buffer, split: number): string | undefined {
  const reader = new ControlFrameReader({ maxFrameBytes: MAX_FRAME });
  try {
    for (let offset = 0; offset < input.length; offset += split) {
      for (const payload of reader.push(input.subarray(offset, offset + split))) {
        const message = parseAppMessage(payload);
        if (message.type === 'sip' || message.type === 'proxy') {
          try {
            parseAppSipText(message.sip);
          } catch (error) {
            if (!(error instanceof AppSipTextError)) return `parseAppSipText threw ${String(error)}`;
          }
        }
      }
      if (reader.bufferedBytes > MAX_FRAME + 16 + split) return `reader buffered ${reader.bufferedBytes} bytes`;
    }
  } catch (error) {
    if (ALLOWED_ERRORS.some((type) => error instanceof type)) return undefined;
    return `threw ${String(error)}`;
  }
  return undefined;
}

describe('control-protocol reader fuzz', () => {
  it(`survives ${TOTAL.toLocaleString('en')} mutated control streams`, () => {
    const mutator = createMutator(SEED, CORPUS, { maxLength: 80_000 });
    const failures: string[] = [];
    let slowestMs = 0;
    let slowestInput = '(none re-timed)';
    let baselineHeap = 0;
    for (let done = 0; done < TOTAL; done += CHUNK) {
      for (let i = 0; i < CHUNK; i++) {
        const input = mutator.next();
        const split = 1 + ((done + i) % 7 === 0 ? (done + i) % 13 : input.length);
        const t0 = performance.now();
        const failure = runOne(input, split);
        const elapsed = performance.now() - t0;
        if (failure && failures.length < 5) failures.push(`${failure} for base64:${input.toString('base64').slice(0, 400)}`);
        if (elapsed > SLOWEST_ALLOWED_MS) {
          // A GC pause or a busy machine (other test files run in parallel) can stall any
          // one input; a hang or a super-linear path is slow every time. Re-time it in CPU
          // time, which waiting for a core does not inflate, and keep the best of 5.
          let best = Infinity;
          for (let attempt = 0; attempt < 5 && best > SLOWEST_ALLOWED_MS; attempt++) {
            const cpuBefore = process.cpuUsage();
            runOne(input, split);
            const cpu = process.cpuUsage(cpuBefore);
            best = Math.min(best, (cpu.user + cpu.system) / 1000);
          }
          if (best > slowestMs) slowestInput = input.toString('base64').slice(0, 400);
          slowestMs = Math.max(slowestMs, best);
        } else slowestMs = Math.max(slowestMs, elapsed);
      }
      if (done === 0) {
        gc();
        baselineHeap = process.memoryUsage().heapUsed;
      }
    }
    gc();
    const growth = process.memoryUsage().heapUsed - baselineHeap;
    expect(failures).toEqual([]);
    expect(mutator.produced).toBe(TOTAL);
    expect(slowestMs, `slowest input base64:${slowestInput}`).toBeLessThan(SLOWEST_ALLOWED_MS);
    expect(growth, `heap grew by ${growth} bytes`).toBeLessThan(HEAP_GROWTH_ALLOWED);
  }, 300_000);

  it('keeps a live control server serving apps while mutated streams hit it', async () => {
    const server = new ControlServer({
      address: '127.0.0.1', port: await freePort(), secret: 'cymru', hostports: () => ['udp/127.0.0.1:5060'], authTimeoutMs: 200,
    }, { onAppSip: (app, command) => app.replyNok(command.msgId, 'fuzz'), onAppProxy: () => undefined, onAppGone: () => undefined });
    await server.start();
    try {
      const mutator = createMutator(SEED + 1, CORPUS, { maxLength: 20_000 });
      const streams = 1000;
      const parallel = 100;
      for (let batch = 0; batch < streams / parallel; batch++) {
        await Promise.all(Array.from({ length: parallel }, () => new Promise<void>((resolve) => {
          const socket = connect(server.port, '127.0.0.1');
          socket.on('error', () => undefined);
          socket.on('close', () => resolve());
          socket.on('connect', () => socket.end(mutator.next()));
          setTimeout(() => socket.destroy(), 1000).unref();
        })));
      }
      // A well-behaved app still authenticates.
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1');
        const reader = new ControlFrameReader();
        socket.on('data', (chunk) => {
          const [first] = reader.push(chunk);
          if (first !== undefined) { socket.destroy(); resolve(first); }
        });
        socket.on('error', reject);
        socket.write(encodeFrame('ok1|authenticate|cymru|'));
      });
      expect(answer).toMatch(/\|response\|ok1\|OK\|/);
      await expect.poll(() => server.connectedApps, { timeout: 5000 }).toBe(0);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
