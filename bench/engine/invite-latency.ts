// INVITE->180 and INVITE->200 latency through the B2BUA at a fixed call rate:
// SIPp UAC (bench/engine/invite-latency.uac.xml) -> vpop engine -> createB2BUA app -> SIPp UAS.
//   npm run build && node dist/bench/engine/invite-latency.js [--rate 100] [--seconds 30]
//     [--duration-ms 10000] [--transport udp|tcp] [--direct] [--out result.json]
// The default 10 s call duration keeps about 1,000 calls up at 100 cps, as in the C++
// drachtio-server reference. Latencies come from the caller's -trace_msg stamps (microseconds).
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, machineInfo } from './machine-info.js';
import { mebibytes, startUsageWindow, type SampledProcess } from './process-sampler.js';
import { inviteLatencies, summarizeLatencies, type LatencySummary } from './sipp-message-log.js';
import { assertPeersAlive, startBenchSipp, stopOnSignals, LOOPBACK, runUacBounded, startTopology, waitForEngineIdle } from './bench-run.js';
import { failedCalls } from './rate-steps.js';
import { sourceFile } from './repo-paths.js';

const SCENARIO = sourceFile('bench/engine/invite-latency.uac.xml');

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    'duration-ms': { type: 'string', default: '10000' },
    transport: { type: 'string', default: 'udp' },
    direct: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const durationMs = Number(values['duration-ms']);
if (!(rate > 0) || !(seconds > 0) || !(durationMs >= 0)) throw new Error('--rate and --seconds must be > 0, --duration-ms >= 0');
if (values.transport !== 'udp' && values.transport !== 'tcp') throw new Error('--transport is udp or tcp');
const transport = values.transport === 'udp' ? 'u1' : 't1';
const deadlineSeconds = seconds + durationMs / 1000 + 40;

const machine = machineInfo();
process.stdout.write(`# INVITE latency at ${rate} cps for ${seconds} s, calls of ${durationMs} ms, over ${values.transport}: `
  + `${values.direct ? 'SIPp -> SIPp (direct)' : 'SIPp -> vpop engine -> createB2BUA app -> SIPp'}\n# ${describeMachine(machine)}\n`);

const topology = await startTopology({ name: 'latency', direct: values.direct ?? false, transport, maxRunSeconds: deadlineSeconds + 120 });
process.stdout.write(`# logs in ${topology.logDir}\n`);
stopOnSignals(topology);

async function runCaller(callRate: number, callSeconds: number, callDurationMs: number, label: string) {
  const uac = await startBenchSipp(topology, {
    scenario: SCENARIO, target: topology.target, localAddress: LOOPBACK, transport,
    rate: callRate, calls: Math.round(callRate * callSeconds), durationMs: callDurationMs,
    timeoutSeconds: callSeconds + callDurationMs / 1000 + 40, traceMessages: true,
    logDir: await mkdtemp(join(topology.logDir, `uac-${label}-`)),
  });
  const processes: SampledProcess[] = [
    ...(topology.engine ? [{ name: 'engine', pid: topology.engine.child.pid }] : []),
    ...(topology.app ? [{ name: 'app', pid: topology.app.pid }] : []),
    { name: 'sipp-uac', pid: uac.pid },
    { name: 'sipp-uas', pid: topology.uas.pid },
  ];
  const window = await startUsageWindow(processes);
  const result = await runUacBounded(uac, callSeconds + callDurationMs / 1000 + 45);
  return { result, usage: await window.finish() };
}

let report: Record<string, unknown>;
try {
  const warmup = await runCaller(50, 4, 0, 'warmup');
  process.stdout.write(`# warm-up: ${warmup.result.statistics?.successfulCalls ?? 0} calls succeeded\n`);
  await waitForEngineIdle(topology, 15_000);
  const { result, usage } = await runCaller(rate, seconds, durationMs, 'measured');
  assertPeersAlive(topology);
  const latencies = inviteLatencies(await readFile(result.logs.messages, 'utf8'));
  const ringing = summarizeLatencies(latencies.map((call) => call.ringingMs));
  const answer = summarizeLatencies(latencies.map((call) => call.answerMs));
  const attempted = Math.round(rate * seconds);
  const statistics = result.statistics;
  const failed = failedCalls(Math.max(statistics?.totalCallsCreated ?? 0, attempted), statistics?.successfulCalls ?? 0, statistics?.failedCalls ?? 0);
  const row = (label: string, summary: LatencySummary): string =>
    `| ${label} | ${summary.count} | ${summary.mean.toFixed(2)} | ${summary.p50.toFixed(2)} | ${summary.p90.toFixed(2)} | ${summary.p99.toFixed(2)} | ${summary.max.toFixed(2)} |`;
  process.stdout.write('| latency | calls | mean ms | p50 ms | p90 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n');
  process.stdout.write(`${row('INVITE -> 180', ringing)}\n${row('INVITE -> 200', answer)}\n`);
  process.stdout.write(`calls: ${attempted} attempted, ${statistics?.successfulCalls ?? 0} ok, ${failed} failed, ${statistics?.retransmissions ?? 0} retransmissions\n`);
  for (const entry of usage) {
    process.stdout.write(`${entry.name}: CPU ${(entry.cpuPercent ?? Number.NaN).toFixed(0)}% = ${((entry.cpuMs ?? Number.NaN) / attempted).toFixed(2)} ms a call (peak ${entry.peakCpuPercent.toFixed(0)}%), waiting for a CPU ${(entry.runQueueWaitPercent ?? Number.NaN).toFixed(0)}%, RSS peak ${mebibytes(entry.peakRssBytes)} MiB\n`);
  }
  report = {
    benchmark: 'invite-latency', direct: values.direct, transport: values.transport, rate, seconds, durationMs, machine,
    finishedLoadAverage: machineInfo().loadAverage, logs: topology.logDir, attempted, successful: statistics?.successfulCalls ?? 0, failed,
    retransmissions: statistics?.retransmissions ?? 0, ringing, answer, usage,
  };
} finally {
  await topology.stop();
}
const out = values.out ?? join(topology.logDir, 'result.json');
await mkdir(join(out, '..'), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`result: ${out}\n`);
