// B2BUA calls per second: SIPp UAC -> vpop engine -> drachtio-srf createB2BUA app -> SIPp UAS,
// stepping the call rate until 0.5% or more of a step's calls fail (issue 3's reference method).
//   npm run build && node dist/bench/engine/b2bua-cps.js [--rates 100,200,...] [--step-seconds 40]
//     [--duration-ms 1000] [--transport udp|tcp] [--direct] [--cpu-prof] [--keep-going]
//     [--sipp-buffer-bytes 4194304] [--out result.json]
// --direct measures SIPp to SIPp with no engine, to show what the harness itself can drive.
// Figures go in docs/benchmarks.md ("SIP engine").
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, machineInfo, type MachineInfo } from './machine-info.js';
import { mebibytes, startUsageWindow, type ProcessUsage, type SampledProcess } from './process-sampler.js';
import {
  DEFAULT_RATES, REFERENCE_FAILED_RATIO, failedCalls, failedRatio, highestPassingRate, parseRates, shouldContinue, type StepOutcome,
} from './rate-steps.js';
import { readUdpCounters, readUdpSocketDrops } from './udp-counters.js';
import { assertPeersAlive, startBenchSipp, stopOnSignals, LOOPBACK, runUacBounded, startTopology, waitForEngineIdle, type BenchTopology } from './bench-run.js';
import { summarizeCpuProfile, formatProfileSummary } from './cpu-profile-summary.js';

interface StepResult extends StepOutcome {
  retransmissions: number;
  /** Datagrams the kernel dropped on full socket buffers during the step (machine-wide). */
  udpReceiveBufferDrops: number;
  /** Of those, the ones dropped on the engine's SIP socket and on the SIPp UAS's. */
  engineSocketDrops: number | undefined;
  uasSocketDrops: number | undefined;
  failuresByCause: Record<string, number>;
  usage: ProcessUsage[];
  loadAverage: MachineInfo['loadAverage'];
  sippLogs: string;
  /** The engine's own gauges right after the step's last call: what it still holds. */
  engineAtEnd: { transactions: number | undefined; dialogs: number | undefined; heapUsedBytes: number | undefined } | undefined;
}

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: DEFAULT_RATES.join(',') },
    'step-seconds': { type: 'string', default: '40' },
    'duration-ms': { type: 'string', default: '1000' },
    transport: { type: 'string', default: 'udp' },
    direct: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'keep-going': { type: 'boolean', default: false },
    'sipp-buffer-bytes': { type: 'string' },
    out: { type: 'string' },
  },
});

const rates = parseRates(values.rates ?? '');
const stepSeconds = Number(values['step-seconds']);
const durationMs = Number(values['duration-ms']);
if (!(stepSeconds > 0) || !(durationMs >= 0)) throw new Error('--step-seconds must be > 0 and --duration-ms >= 0');
if (values.transport !== 'udp' && values.transport !== 'tcp') throw new Error('--transport is udp or tcp');
const transport = values.transport === 'udp' ? 'u1' : 't1';
// A step that overloads the engine ends with calls in UDP retransmission (up to ~32 s); give
// them time to settle, then stop SIPp regardless.
const stepDeadlineSeconds = stepSeconds + durationMs / 1000 + 40;
const maxRunSeconds = 30 + rates.length * (stepDeadlineSeconds + 45);

const profileDir = values['cpu-prof'] ? await mkdtemp('/tmp/vpop-bench-cpuprof-') : undefined;
const profileArgs = (name: string): string[] | undefined =>
  profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}.cpuprofile`] : undefined;

const machineAtStart = machineInfo();
process.stdout.write(`# B2BUA cps: ${values.direct ? 'SIPp -> SIPp (direct)' : 'SIPp -> vpop engine -> createB2BUA app -> SIPp'} over ${values.transport}\n`);
process.stdout.write(`# ${describeMachine(machineAtStart)}\n`);
process.stdout.write(`# ${stepSeconds} s a step, call duration ${durationMs} ms, rates ${rates.join(', ')}\n`);

const topology = await startTopology({
  name: 'cps', direct: values.direct ?? false, transport, maxRunSeconds,
  ...(values['sipp-buffer-bytes'] ? { sippBufferBytes: Number(values['sipp-buffer-bytes']) } : {}),
  ...(profileArgs('engine') ? { engineNodeArgs: profileArgs('engine')!, appNodeArgs: profileArgs('app')! } : {}),
});
process.stdout.write(`# logs in ${topology.logDir}\n`);
stopOnSignals(topology);

async function runStep(rate: number, seconds: number): Promise<StepResult> {
  const calls = Math.round(rate * seconds);
  const uac = await startBenchSipp(topology, {
    scenario: 'uac', target: topology.target, localAddress: LOOPBACK, transport: topology.transport,
    rate, calls, durationMs, timeoutSeconds: stepDeadlineSeconds, traceMessages: false,
    logDir: await mkdtemp(join(topology.logDir, `uac-${rate}-`)),
  });
  const processes: SampledProcess[] = [
    ...(topology.engine ? [{ name: 'engine', pid: topology.engine.child.pid }] : []),
    ...(topology.app ? [{ name: 'app', pid: topology.app.pid }] : []),
    { name: 'sipp-uac', pid: uac.pid },
    { name: 'sipp-uas', pid: topology.uas.pid },
  ];
  const udpBefore = await readUdpCounters();
  const socketDrops = async (): Promise<[number | undefined, number | undefined]> => [
    topology.engine ? await readUdpSocketDrops(LOOPBACK, topology.engine.sipPort) : undefined,
    await readUdpSocketDrops(LOOPBACK, topology.uasPort),
  ];
  const [engineDropsBefore, uasDropsBefore] = await socketDrops();
  const window = await startUsageWindow(processes);
  const result = await runUacBounded(uac, stepDeadlineSeconds + 5);
  const usage = await window.finish();
  const udpDrops = (await readUdpCounters()).rcvbufErrors - udpBefore.rcvbufErrors;
  const [engineDropsAfter, uasDropsAfter] = await socketDrops();
  const delta = (after: number | undefined, before: number | undefined): number | undefined =>
    after === undefined || before === undefined ? undefined : after - before;
  const engine = topology.engine;
  const engineAtEnd = engine
    ? {
        transactions: await engine.metric('vpop_engine_transactions_active'),
        dialogs: await engine.metric('vpop_engine_dialogs_active'),
        heapUsedBytes: await engine.metric('nodejs_heap_size_used_bytes'),
      }
    : undefined;
  const statistics = result.statistics;
  const created = statistics?.totalCallsCreated ?? 0;
  const successful = statistics?.successfulCalls ?? 0;
  return {
    rate,
    attempted: Math.max(created, calls),
    successful,
    failed: failedCalls(Math.max(created, calls), successful, statistics?.failedCalls ?? 0),
    retransmissions: statistics?.retransmissions ?? 0,
    udpReceiveBufferDrops: udpDrops,
    engineSocketDrops: delta(engineDropsAfter, engineDropsBefore),
    uasSocketDrops: delta(uasDropsAfter, uasDropsBefore),
    failuresByCause: statistics?.failuresByCause ?? {},
    usage,
    loadAverage: machineInfo().loadAverage,
    sippLogs: result.logs.dir,
    engineAtEnd,
  };
}

function usageCell(step: StepResult, name: string, what: 'cpu' | 'rss'): string {
  const usage = step.usage.find((entry) => entry.name === name);
  if (!usage) return '-';
  if (what === 'rss') return mebibytes(usage.peakRssBytes);
  // CPU used, then the share of time its event loop waited for a CPU (high = starved by other load).
  const wait = usage.runQueueWaitPercent === undefined ? '' : ` / ${usage.runQueueWaitPercent.toFixed(0)}%`;
  return `${(usage.cpuPercent ?? Number.NaN).toFixed(0)}%${wait}`;
}

function cpuPerCallCell(step: StepResult, name: string): string {
  const usage = step.usage.find((entry) => entry.name === name);
  // CPU over the whole step (ramp-down and stragglers included) per call attempted.
  return usage?.cpuMs === undefined || step.attempted === 0 ? '-' : (usage.cpuMs / step.attempted).toFixed(2);
}

function tableRow(step: StepResult): string {
  return `| ${step.rate} | ${step.attempted} | ${step.successful} | ${step.failed} (${(failedRatio(step) * 100).toFixed(2)}%) | ${step.retransmissions} | ${step.udpReceiveBufferDrops} (${step.engineSocketDrops ?? '-'}/${step.uasSocketDrops ?? '-'}) `
    + `| ${usageCell(step, 'engine', 'cpu')} | ${usageCell(step, 'app', 'cpu')} | ${usageCell(step, 'sipp-uac', 'cpu')} | ${usageCell(step, 'sipp-uas', 'cpu')} `
    + `| ${cpuPerCallCell(step, 'engine')} | ${cpuPerCallCell(step, 'app')} | ${usageCell(step, 'engine', 'rss')} | ${usageCell(step, 'app', 'rss')} `
    + `| ${step.engineAtEnd?.transactions ?? '-'} | ${step.engineAtEnd?.heapUsedBytes === undefined ? '-' : mebibytes(step.engineAtEnd.heapUsedBytes)} | ${step.loadAverage[0]} |`;
}

async function runSteps(topology: BenchTopology): Promise<StepResult[]> {
  // Warm-up (JIT, the app's route registration), not counted.
  const warmup = await runStep(Math.min(50, rates[0]!), 4);
  process.stdout.write(`# warm-up: ${warmup.successful}/${warmup.attempted} calls succeeded\n`);
  await waitForEngineIdle(topology, 15_000);
  process.stdout.write('| cps | calls | ok | failed | retrans | UDP drops (engine/uas) | engine CPU / wait | app CPU / wait | uac CPU / wait | uas CPU / wait | engine CPU ms/call | app CPU ms/call | engine RSS MiB | app RSS MiB | engine txns at end | engine heap MiB at end | load 1m |\n');
  process.stdout.write(`|${' ---: |'.repeat(17)}\n`);
  const steps: StepResult[] = [];
  for (const rate of rates) {
    assertPeersAlive(topology);
    const step = await runStep(rate, stepSeconds);
    steps.push(step);
    process.stdout.write(`${tableRow(step)}\n`);
    if (Object.keys(step.failuresByCause).length > 0) process.stdout.write(`#   failures: ${JSON.stringify(step.failuresByCause)} (${step.sippLogs})\n`);
    assertPeersAlive(topology);
    if (!(values['keep-going'] ?? false) && !shouldContinue(step)) break;
    const left = await waitForEngineIdle(topology, 40_000);
    if (left !== 0) process.stdout.write(`#   engine still reports ${left} active dialogs after 40 s\n`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return steps;
}

let steps: StepResult[] = [];
try {
  steps = await runSteps(topology);
} finally {
  await topology.stop();
}

const zeroFailed = highestPassingRate(steps, 0);
const underReference = highestPassingRate(steps, REFERENCE_FAILED_RATIO);
process.stdout.write(`highest rate with 0 failed calls: ${zeroFailed ?? 'none'} cps\n`);
process.stdout.write(`highest rate with < 0.5% failed calls: ${underReference ?? 'none'} cps (C++ drachtio-server reference: 375)\n`);

if (profileDir) {
  for (const file of (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'))) {
    const summary = await summarizeCpuProfile(join(profileDir, file), 15);
    process.stdout.write(`\n## ${file} (${join(profileDir, file)})\n${formatProfileSummary(summary)}\n`);
  }
}

const report = {
  benchmark: 'b2bua-cps', direct: values.direct, transport: values.transport, stepSeconds, durationMs,
  machine: machineAtStart, finishedLoadAverage: machineInfo().loadAverage, logs: topology.logDir,
  highestZeroFailedRate: zeroFailed, highestUnderHalfPercentRate: underReference, steps,
};
const out = values.out ?? join(topology.logDir, 'result.json');
await mkdir(join(out, '..'), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`result: ${out}\n`);
