// Concurrent calls WITH media through the whole edge: SIPp (127.0.0.4, the plain trunk) calls
// through vpop up and plays G.711 RTP (rtp_stream, 50 packets/s) for the whole call; rtpengine
// relays it to the stand-in core, whose echo sends every packet back through rtpengine to SIPp.
// Calls ramp up at --rate until --calls are up at once, and are held --hold-seconds; CPU of
// every process and rtpengine's packet counters are taken while all calls are up.
//   npm run build && node dist/bench/sbc/edge-media.js [--calls 200] [--rate 10] [--hold-seconds 60] [--out result.json]
// Figures go in docs/benchmarks.md ("Edge SBC").
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSipp } from '../../test/support/sipp.js';
import { freePort } from '../../test/support/free-port.js';
import { describeMachine, machineInfo } from '../engine/machine-info.js';
import { mebibytes, startUsageWindow } from '../engine/process-sampler.js';
import { runUacBounded, SIPP_BUFFER_BYTES } from '../engine/bench-run.js';
import { sourceFile } from '../engine/repo-paths.js';
import { sumMetricSamples } from '../engine/prometheus-text.js';
import { readUdpCounters } from '../engine/udp-counters.js';
import { PLAIN_TRUNK_SOURCE, rtpengineOwnSessions, startEdgePop, type RunningEdgePop } from './edge-pop.js';
import { DIALLED, waitForFirstAnsweredCall } from './first-call.js';
import { waitForRtpengineIdle } from './rtpengine-idle.js';
import { writePcmuTone } from './tone-file.js';
import { readUdpSocketDropsWhere } from './udp-socket-drops.js';

const PACKETS_PER_SECOND_PER_STREAM = 50; // G.711 at 20 ms
const PROCESS_NAMES = ['vpop-up', 'engine', 'sbc', 'stand-in-core', 'rtpengine', 'sipp-uac'] as const;

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    rate: { type: 'string', default: '10' },
    'hold-seconds': { type: 'string', default: '60' },
    out: { type: 'string' },
  },
});
const calls = Number(values.calls);
const rate = Number(values.rate);
const holdSeconds = Number(values['hold-seconds']);
const rampSeconds = calls / rate;
// All calls are up from the end of the ramp until the first call's hold ends.
const plateauSeconds = holdSeconds - rampSeconds - 6;
if (!(calls > 0) || !(rate > 0) || !(plateauSeconds >= 5)) {
  throw new Error('--calls and --rate must be > 0, and --hold-seconds at least calls/rate + 11 (a 5 s plateau with every call up)');
}
const deadlineSeconds = rampSeconds + holdSeconds + 60;

const machineAtStart = machineInfo();
process.stdout.write('# Edge media: SIPp rtp_stream (PCMU) -> vpop up (engine -> SBC + rtpengine -> stand-in core RTP echo) -> back to SIPp\n');
process.stdout.write(`# ${describeMachine(machineAtStart)}\n`);
process.stdout.write(`# ${calls} calls at ${rate} cps, each held ${holdSeconds} s; measured over ${plateauSeconds.toFixed(0)} s with all up\n`);

const logDir = await mkdtemp('/tmp/vpop-bench-edge-media-');
const audioFile = join(logDir, 'tone.ul');
await writePcmuTone(audioFile, 4);
// SIPp takes rtp_stream's file literally (no [keyword] expansion): a copy with this run's path.
const scenarioFile = join(logDir, 'edge-media.uac.xml');
await writeFile(scenarioFile, (await readFile(sourceFile('bench/sbc/edge-media.uac.xml'), 'utf8')).replaceAll('AUDIO_FILE', audioFile));
const pop = await startEdgePop({ logDir, mediaPorts: Math.max(2000, calls * 4 * 2) });
process.stdout.write(`# logs in ${logDir}; rtpengine ports ${pop.ports.mediaMin}-${pop.ports.mediaMax}\n`);
let stopping: ReturnType<RunningEdgePop['stop']> | undefined;
const stopPop = (): ReturnType<RunningEdgePop['stop']> => (stopping ??= pop.stop());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopPop().then(() => process.exit(130)));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const rtpengineCounter = (text: string, name: string): number => sumMetricSamples(text, name) ?? Number.NaN;

async function run(): Promise<Record<string, unknown>> {
  await waitForFirstAnsweredCall(pop, logDir);
  await waitForRtpengineIdle(pop, 45_000);
  const uac = await startSipp({
    scenario: scenarioFile, target: pop.sipTarget, localAddress: PLAIN_TRUNK_SOURCE,
    localPort: await freePort(PLAIN_TRUNK_SOURCE), transport: 'u1', calls, rate, rateLimit: calls, durationMs: holdSeconds * 1000,
    timeoutSeconds: deadlineSeconds, traceMessages: false, service: DIALLED,
    logDir: await mkdtemp(join(logDir, 'uac-')), extraArgs: ['-buff_size', String(SIPP_BUFFER_BYTES)],
  });
  const finished = runUacBounded(uac, deadlineSeconds + 5);
  await sleep((rampSeconds + 3) * 1000);

  const before = await pop.metrics();
  const udpBefore = await readUdpCounters();
  const window = await startUsageWindow([...(await pop.processes()), { name: 'sipp-uac', pid: uac.pid }]);
  const startedAt = Date.now();
  await sleep(plateauSeconds * 1000);
  // Per-socket drop counts vanish with the sockets: read them while every call is still up.
  const rtpengineSocketDrops = await readUdpSocketDropsWhere({ address: '127.0.0.1', portMin: pop.ports.mediaMin, portMax: pop.ports.mediaMax });
  const sippSocketDrops = await readUdpSocketDropsWhere({ address: PLAIN_TRUNK_SOURCE });
  const after = await pop.metrics();
  const usage = await window.finish();
  const seconds = (Date.now() - startedAt) / 1000;
  const udpDrops = (await readUdpCounters()).rcvbufErrors - udpBefore.rcvbufErrors;

  const result = await finished;
  const sessionsAfter = await waitForRtpengineIdle(pop, 45_000);
  const packets = rtpengineCounter(after, 'rtpengine_packets_total') - rtpengineCounter(before, 'rtpengine_packets_total');
  const packetErrors = rtpengineCounter(after, 'rtpengine_packet_errors_total') - rtpengineCounter(before, 'rtpengine_packet_errors_total');
  const bytes = rtpengineCounter(after, 'rtpengine_bytes_total') - rtpengineCounter(before, 'rtpengine_bytes_total');
  const sessionsUp = [rtpengineOwnSessions(before), rtpengineOwnSessions(after)];
  const callsUp = [sumMetricSamples(before, 'vpop_sbc_calls_active'), sumMetricSamples(after, 'vpop_sbc_calls_active')];
  // Every call: SIPp's stream in, and the echo of it back in from the core side.
  const expectedPacketsPerSecond = calls * PACKETS_PER_SECOND_PER_STREAM * 2;
  const statistics = result.statistics;
  const successful = statistics?.successfulCalls ?? 0;

  process.stdout.write(`calls: ${successful} ok, ${calls - successful} failed or unfinished of ${calls}${statistics && Object.keys(statistics.failuresByCause).length > 0 ? ` ${JSON.stringify(statistics.failuresByCause)}` : ''}; SIP retransmissions ${statistics?.retransmissions ?? '-'}\n`);
  process.stdout.write(`calls up while measured: SBC ${callsUp.join(' → ')}, rtpengine sessions ${sessionsUp.join(' → ')}; rtpengine sessions after the run: ${sessionsAfter ?? '-'}\n`);
  process.stdout.write(`rtpengine received ${(packets / seconds).toFixed(0)} packets/s (${((packets / seconds / expectedPacketsPerSecond) * 100).toFixed(1)}% of ${expectedPacketsPerSecond} expected), ${(bytes / seconds / 1e6 * 8).toFixed(2)} Mbit/s, packet errors ${packetErrors}\n`);
  process.stdout.write(`UDP receive-buffer drops: rtpengine media sockets ${rtpengineSocketDrops.drops} (${rtpengineSocketDrops.sockets} sockets), SIPp's address ${sippSocketDrops.drops} (${sippSocketDrops.sockets} sockets), machine-wide during the window ${udpDrops}\n`);
  process.stdout.write(`| process | CPU % / run-queue wait % | peak CPU % | peak RSS MiB |\n| --- | ---: | ---: | ---: |\n`);
  for (const name of PROCESS_NAMES) {
    const entry = usage.find((candidate) => candidate.name === name);
    if (!entry) continue;
    process.stdout.write(`| ${name} | ${(entry.cpuPercent ?? Number.NaN).toFixed(0)} / ${entry.runQueueWaitPercent?.toFixed(0) ?? '-'} | ${entry.peakCpuPercent.toFixed(0)} | ${mebibytes(entry.peakRssBytes)} |\n`);
  }
  process.stdout.write(`# load average at the end: ${machineInfo().loadAverage.join(' ')}\n`);
  return {
    calls, rate, holdSeconds, plateauSeconds: seconds, successful, sippStatistics: statistics, callsUp, sessionsUp, sessionsAfter,
    rtpenginePacketsPerSecond: packets / seconds, expectedPacketsPerSecond, packetErrors, bytesPerSecond: bytes / seconds,
    rtpengineSocketDrops, sippSocketDrops, machineWideUdpDrops: udpDrops, usage, sippLogs: result.logs.dir,
  };
}

let outcome: Record<string, unknown> = {};
let leftAlive: string[] = [];
try {
  outcome = await run();
} finally {
  leftAlive = (await stopPop()).leftAlive;
}
process.stdout.write(leftAlive.length === 0 ? '# vpop up and every child it ran have exited\n' : `# STILL ALIVE after vpop up stopped: ${leftAlive.join(', ')}\n`);
const out = values.out ?? join(logDir, 'result.json');
await writeFile(out, `${JSON.stringify({ benchmark: 'edge-media', machine: machineAtStart, finishedLoadAverage: machineInfo().loadAverage, logs: logDir, leftAlive, ...outcome }, null, 2)}\n`);
process.stdout.write(`# result: ${out}\n`);
if (leftAlive.length > 0) process.exitCode = 1;
