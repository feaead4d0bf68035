// Issue 8's flood measurement: 10,000 requests/s for 10 s from an allow-listed source
// (127.0.0.2) and 10,000/s from ten unlisted sources (127.0.0.10-19), while SIPp places
// legitimate B2BUA calls from another allow-listed source (127.0.0.3) through the engine and
// a drachtio-srf createB2BUA app. Reports the legitimate calls' success, what the engine
// dropped (per-source rate limit, allow-list) and its memory before, during and after.
//   npm run build && node dist/bench/engine/flood.js [--flood-rate 10000] [--flood-seconds 10]
//     [--call-rate 20] [--source-rate 1000] [--out result.json]
// Figures go in docs/benchmarks.md ("SIP engine under a flood").
import { createSocket, type Socket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.js';
import { startSipp, type SippProcess } from '../../test/support/sipp.js';
import { startEngineProcess, type EngineProcess } from './engine-process.js';
import { startB2buaAppProcess } from './b2bua-app-process.js';
import type { BenchChild } from './child-process.js';
import { describeMachine, machineInfo } from './machine-info.js';
import { mebibytes, readProcStat } from './process-sampler.js';
import { runUacBounded } from './bench-run.js';

const { values } = parseArgs({
  options: {
    'flood-rate': { type: 'string', default: '10000' },
    'flood-seconds': { type: 'string', default: '10' },
    'call-rate': { type: 'string', default: '20' },
    'source-rate': { type: 'string', default: '1000' },
    out: { type: 'string' },
  },
});
const floodRate = Number(values['flood-rate']);
const floodSeconds = Number(values['flood-seconds']);
const callRate = Number(values['call-rate']);
if (!(floodRate > 0 && floodSeconds > 0 && floodSeconds <= 60 && callRate > 0)) throw new Error('bad --flood-rate/--flood-seconds (<= 60)/--call-rate');

const ENGINE = '127.0.0.1';
const LISTED_FLOODER = '127.0.0.2';
const CALLER = '127.0.0.3';
const UNLISTED = Array.from({ length: 10 }, (_, i) => `127.0.0.${10 + i}`);
const LEAD_SECONDS = 5;
const TAIL_SECONDS = 15;

const started: Array<{ stop(): Promise<unknown> }> = [];
const stopAll = async (): Promise<void> => {
  for (const item of started.splice(0).reverse()) await item.stop().catch(() => undefined);
};
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

function optionsRequest(source: string, port: number, sipPort: number, n: number): Buffer {
  return Buffer.from([
    `OPTIONS sip:ping@${ENGINE}:${sipPort} SIP/2.0`,
    `Via: SIP/2.0/UDP ${source}:${port};branch=z9hG4bKflood${n};rport`,
    'Max-Forwards: 70',
    `From: <sip:flood@${source}>;tag=f${n}`,
    `To: <sip:ping@${ENGINE}:${sipPort}>`,
    `Call-ID: flood-${n}@${source}`,
    `CSeq: 1 OPTIONS`,
    'Content-Length: 0', '', '',
  ].join('\r\n'));
}

async function bindSocket(address: string): Promise<{ socket: Socket; port: number }> {
  const port = await freePort(address);
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, address, resolve));
  socket.on('message', () => undefined);
  return { socket, port };
}

/** Sends `rate` requests/s spread over `sources` for `seconds`, in 10 ms ticks; resolves with the count sent. */
async function flood(sockets: { socket: Socket; port: number; address: string }[], sipPort: number, rate: number, seconds: number): Promise<number> {
  const perTick = Math.max(1, Math.round(rate / 100));
  const endAt = Date.now() + seconds * 1000;
  let n = 0;
  let sent = 0;
  return new Promise((resolve) => {
    const tick = setInterval(() => {
      if (Date.now() >= endAt) {
        clearInterval(tick);
        resolve(sent);
        return;
      }
      for (let i = 0; i < perTick; i++) {
        const source = sockets[n % sockets.length]!;
        n++;
        source.socket.send(optionsRequest(source.address, source.port, sipPort, n), sipPort, ENGINE, () => undefined);
        sent++;
      }
    }, 10);
  });
}

async function rss(pid: number): Promise<number> {
  return (await readProcStat(pid))?.rssBytes ?? 0;
}

async function main(): Promise<void> {
  const logDir = await mkdtemp(join(tmpdir(), 'vpop-bench-flood-'));
  const uasPort = await freePort(ENGINE);
  const uas: SippProcess = await startSipp({
    scenario: 'uas', localAddress: ENGINE, localPort: uasPort, transport: 'u1', timeoutSeconds: 120, traceMessages: false,
    logDir: await mkdtemp(join(logDir, 'uas-')), extraArgs: ['-mp', String(await freePort(ENGINE))],
  });
  started.push(uas);
  const engine: EngineProcess = await startEngineProcess({
    logDir, extraArgs: [
      '--allow', `${ENGINE}/32`, '--allow', `${LISTED_FLOODER}/32`, '--allow', `${CALLER}/32`, '--source-rate', values['source-rate'] ?? '1000',
    ],
  });
  started.push(engine.child);
  const app: BenchChild = await startB2buaAppProcess({ engine, logDir, target: `${ENGINE}:${uasPort};transport=udp` });
  started.push(app);

  const totalSeconds = LEAD_SECONDS + floodSeconds + TAIL_SECONDS;
  const calls = Math.round(callRate * totalSeconds);
  const uac = await startSipp({
    scenario: 'uac', target: `${ENGINE}:${engine.sipPort}`, localAddress: CALLER, localPort: await freePort(CALLER), transport: 'u1',
    calls, rate: callRate, durationMs: 2000, timeoutSeconds: totalSeconds + 60, traceMessages: false,
    logDir: await mkdtemp(join(logDir, 'uac-')), extraArgs: ['-mp', String(await freePort(CALLER))],
  });
  started.push(uac);

  await new Promise((resolve) => setTimeout(resolve, (LEAD_SECONDS - 1) * 1000));
  const baselineRss = await rss(engine.child.pid);
  const baselineHeap = await engine.metric('nodejs_heap_size_used_bytes');
  const listed = [{ ...(await bindSocket(LISTED_FLOODER)), address: LISTED_FLOODER }];
  const unlisted = await Promise.all(UNLISTED.map(async (address) => ({ ...(await bindSocket(address)), address })));
  let peakRss = baselineRss;
  const sampler = setInterval(() => void rss(engine.child.pid).then((value) => { peakRss = Math.max(peakRss, value); }), 250);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const [listedSent, unlistedSent] = await Promise.all([
    flood(listed, engine.sipPort, floodRate, floodSeconds),
    flood(unlisted, engine.sipPort, floodRate, floodSeconds),
  ]);
  for (const { socket } of [...listed, ...unlisted]) socket.close();
  const result = await runUacBounded(uac, totalSeconds + 60);
  clearInterval(sampler);
  // Memory after the flood: the blocked source's entry expires with its block (10 s), and the
  // transactions of the requests that got through linger for Timer J (32 s over UDP).
  await new Promise((resolve) => setTimeout(resolve, 40_000));
  const afterRss = await rss(engine.child.pid);
  const afterHeap = await engine.metric('nodejs_heap_size_used_bytes');
  const report = {
    machine: describeMachine(machineInfo()),
    command: `node dist/bench/engine/flood.js --flood-rate ${floodRate} --flood-seconds ${floodSeconds} --call-rate ${callRate} --source-rate ${values['source-rate']}`,
    flood: { listedSent, unlistedSent, rate: floodRate, seconds: floodSeconds },
    legitimateCalls: { placed: calls, successful: result.statistics?.successfulCalls, failed: result.statistics?.failedCalls },
    engine: {
      rateLimitedMessages: await engine.metric('vpop_engine_rate_limited_messages_total'),
      sourceBlocks: await engine.metric('vpop_engine_source_blocks_total'),
      allowListDrops: await engine.metric('vpop_engine_allowlist_drops_total'),
      optionsAnswered: await engine.metric('vpop_engine_sip_messages_total'),
      rssBytes: { baseline: baselineRss, peak: peakRss, after: afterRss },
      heapUsedBytes: { baseline: baselineHeap, after: afterHeap },
      dialogsAfter: await engine.metric('vpop_engine_dialogs_active'),
    },
  };
  console.log(JSON.stringify(report, null, 2));
  console.log(`legitimate calls ${report.legitimateCalls.successful}/${calls}; engine RSS ${mebibytes(baselineRss)} -> peak ${mebibytes(peakRss)} -> after ${mebibytes(afterRss)}`);
  if (values.out) await writeFile(values.out, JSON.stringify(report, null, 2));
}

try {
  await main();
} finally {
  await stopAll();
}
