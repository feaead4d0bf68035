// Calls per second through the whole edge with rtpengine anchoring every call:
// SIPp UAC (127.0.0.4, the plain trunk) -> vpop engine -> SBC (policy, rtpengine offer/answer)
// -> stand-in core (answers with an RTP echo). SIPp's built-in uac offers SDP but sends no RTP.
//   npm run build && node dist/bench/sbc/edge-cps.js [--rates 50,100,...] [--step-seconds 30]
//     [--duration-ms 1000] [--keep-going] [--log-level info] [--out result.json]
// Figures go in docs/benchmarks.md ("Edge SBC").
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSipp } from '../../test/support/sipp.js';
import { freePort } from '../../test/support/free-port.js';
import { describeMachine, machineInfo, type MachineInfo } from '../engine/machine-info.js';
import { mebibytes, startUsageWindow, type ProcessUsage } from '../engine/process-sampler.js';
import { failedCalls, failedRatio, highestPassingRate, parseRates, shouldContinue, type StepOutcome } from '../engine/rate-steps.js';
import { runUacBounded, SIPP_BUFFER_BYTES } from '../engine/bench-run.js';
import { readUdpCounters, readUdpSocketDrops } from '../engine/udp-counters.js';
import { PLAIN_TRUNK_SOURCE, rtpengineOwnSessions, startEdgePop, type RunningEdgePop } from './edge-pop.js';
import { waitForRtpengineIdle } from './rtpengine-idle.js';
import { DIALLED, waitForFirstAnsweredCall } from './first-call.js';

const PROCESS_NAMES = ['vpop-up', 'engine', 'sbc', 'stand-in-core', 'rtpengine', 'sipp-uac'] as const;

interface StepResult extends StepOutcome {
  retransmissions: number;
  failuresByCause: Record<string, number>;
  udpReceiveBufferDrops: number;
  /** Of those, the ones on rtpengine's ng socket and on the engine's SIP socket. */
  ngSocketDrops: number | undefined;
  sipSocketDrops: number | undefined;
  sessionsBefore: number | undefined;
  sessionsAfter: number | undefined;
  /** Most rtpengine sessions seen during the step (sampled every 2 s): every call is anchored. */
  sessionsPeak: number;
  /** Per process, over the step's calls being placed and held (not the wait for stragglers). */
  usage: ProcessUsage[];
  loadAverage: MachineInfo['loadAverage'];
  sippLogs: string;
}

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '50,100,150,200,250,300,350,400' },
    'step-seconds': { type: 'string', default: '30' },
    'duration-ms': { type: 'string', default: '1000' },
    'keep-going': { type: 'boolean', default: false },
    // The POP's logging.level, which also sets rtpengine's (info = 6: every ng command logged).
    'log-level': { type: 'string', default: 'info' },
    out: { type: 'string' },
  },
});
const rates = parseRates(values.rates ?? '');
const stepSeconds = Number(values['step-seconds']);
const durationMs = Number(values['duration-ms']);
if (!(stepSeconds > 0) || !(durationMs >= 0)) throw new Error('--step-seconds must be > 0 and --duration-ms >= 0');
// Calls of an overloaded step sit in UDP retransmission (up to ~32 s): let them settle, then stop SIPp.
const stepDeadlineSeconds = stepSeconds + durationMs / 1000 + 40;

const machineAtStart = machineInfo();
process.stdout.write('# Edge cps: SIPp uac (SDP, no RTP) -> vpop up (engine -> SBC + rtpengine -> stand-in core)\n');
process.stdout.write(`# ${describeMachine(machineAtStart)}\n`);
process.stdout.write(`# ${stepSeconds} s a step, call duration ${durationMs} ms, rates ${rates.join(', ')}, POP log level ${values['log-level']}\n`);

const logDir = await mkdtemp('/tmp/vpop-bench-edge-cps-');
// Media ports: 4 a call, for every call of the top rate alive at once (held plus BYE linger), with room.
const topRate = rates[rates.length - 1] ?? 100;
const pop = await startEdgePop({ logDir, logLevel: values['log-level'] ?? 'info', mediaPorts: Math.min(14_000, Math.max(2000, Math.ceil(topRate * (durationMs / 1000 + 4) * 4 * 1.5))) });
process.stdout.write(`# logs in ${logDir}; rtpengine ports ${pop.ports.mediaMin}-${pop.ports.mediaMax}\n`);

let stopping: ReturnType<RunningEdgePop['stop']> | undefined;
const stopPop = (): ReturnType<RunningEdgePop['stop']> => (stopping ??= pop.stop());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopPop().then(() => process.exit(130)));
}

async function runStep(rate: number, seconds: number): Promise<StepResult> {
  const calls = Math.round(rate * seconds);
  const sessionsBefore = rtpengineOwnSessions(await pop.metrics());
  const uac = await startSipp({
    scenario: 'uac', target: pop.sipTarget, localAddress: PLAIN_TRUNK_SOURCE, localPort: await freePort(PLAIN_TRUNK_SOURCE), transport: 'u1',
    rate, calls, durationMs, timeoutSeconds: stepDeadlineSeconds, traceMessages: false, service: DIALLED,
    logDir: await mkdtemp(join(logDir, `uac-${rate}-`)), extraArgs: ['-buff_size', String(SIPP_BUFFER_BYTES)],
  });
  const window = await startUsageWindow([...(await pop.processes()), { name: 'sipp-uac', pid: uac.pid }]);
  const udpBefore = await readUdpCounters();
  const socketDrops = async (): Promise<[number | undefined, number | undefined]> => [
    await readUdpSocketDrops('127.0.0.1', pop.ports.ng), await readUdpSocketDrops('127.0.0.1', pop.ports.sip),
  ];
  const [ngBefore, sipBefore] = await socketDrops();
  let sessionsPeak = 0;
  const peakTimer = setInterval(() => {
    void pop.metrics().then((text) => { sessionsPeak = Math.max(sessionsPeak, rtpengineOwnSessions(text) ?? 0); }, () => undefined);
  }, 2000);
  const finished = runUacBounded(uac, stepDeadlineSeconds + 5).finally(() => clearInterval(peakTimer));
  // CPU while the load is offered (all calls placed and held), not over the wait for stragglers
  // of an overloaded step, which would dilute it.
  const loadSeconds = seconds + durationMs / 1000 + 1;
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, loadSeconds * 1000))]);
  const usage = await window.finish();
  const result = await finished;
  const udpDrops = (await readUdpCounters()).rcvbufErrors - udpBefore.rcvbufErrors;
  const [ngAfter, sipAfter] = await socketDrops();
  const delta = (after: number | undefined, before: number | undefined): number | undefined =>
    after === undefined || before === undefined ? undefined : after - before;
  const sessionsAfter = await waitForRtpengineIdle(pop, 40_000);
  const statistics = result.statistics;
  const created = Math.max(statistics?.totalCallsCreated ?? 0, calls);
  const successful = statistics?.successfulCalls ?? 0;
  return {
    rate, attempted: created, successful, failed: failedCalls(created, successful, statistics?.failedCalls ?? 0),
    retransmissions: statistics?.retransmissions ?? 0, failuresByCause: statistics?.failuresByCause ?? {},
    udpReceiveBufferDrops: udpDrops, ngSocketDrops: delta(ngAfter, ngBefore), sipSocketDrops: delta(sipAfter, sipBefore), sessionsBefore, sessionsAfter, sessionsPeak, usage, loadAverage: machineInfo().loadAverage, sippLogs: result.logs.dir,
  };
}

function cpuCell(step: StepResult, name: string): string {
  const usage = step.usage.find((entry) => entry.name === name);
  if (usage?.cpuPercent === undefined) return '-';
  const wait = usage.runQueueWaitPercent === undefined ? '' : ` / ${usage.runQueueWaitPercent.toFixed(0)}%`;
  return `${usage.cpuPercent.toFixed(0)}%${wait}`;
}

function rssCell(step: StepResult, name: string): string {
  const usage = step.usage.find((entry) => entry.name === name);
  return usage ? mebibytes(usage.peakRssBytes) : '-';
}

function tableRow(step: StepResult): string {
  return `| ${step.rate} | ${step.attempted} | ${step.successful} | ${step.failed} (${(failedRatio(step) * 100).toFixed(2)}%) | ${step.retransmissions} | ${step.udpReceiveBufferDrops} (${step.ngSocketDrops ?? '-'}/${step.sipSocketDrops ?? '-'}) `
    + `| ${PROCESS_NAMES.map((name) => cpuCell(step, name)).join(' | ')} `
    + `| ${PROCESS_NAMES.slice(0, 5).map((name) => rssCell(step, name)).join(' / ')} `
    + `| ${step.sessionsBefore ?? '-'} / ${step.sessionsPeak} / ${step.sessionsAfter ?? '-'} | ${step.loadAverage[0]} |`;
}

async function runSteps(): Promise<StepResult[]> {
  await waitForFirstAnsweredCall(pop, logDir);
  const warmup = await runStep(Math.min(20, rates[0]!), 5);
  process.stdout.write(`# warm-up: ${warmup.successful}/${warmup.attempted} calls succeeded\n`);
  process.stdout.write(`| cps | calls | ok | failed | retrans | UDP drops (rtpengine ng/engine SIP) | ${PROCESS_NAMES.map((name) => `${name} CPU / wait`).join(' | ')} `
    + '| peak RSS MiB vpop-up / engine / sbc / core / rtpengine | rtpengine sessions before / peak / after | load 1m |\n');
  process.stdout.write(`|${' ---: |'.repeat(6 + PROCESS_NAMES.length + 3)}\n`);
  const steps: StepResult[] = [];
  for (const rate of rates) {
    if (!pop.up.alive()) throw new Error(`vpop up exited; see ${pop.up.logFile}`);
    const step = await runStep(rate, stepSeconds);
    steps.push(step);
    process.stdout.write(`${tableRow(step)}\n`);
    if (Object.keys(step.failuresByCause).length > 0) process.stdout.write(`#   failures: ${JSON.stringify(step.failuresByCause)} (${step.sippLogs})\n`);
    if (!(values['keep-going'] ?? false) && !shouldContinue(step)) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return steps;
}

let steps: StepResult[] = [];
let leftAlive: string[] = [];
try {
  steps = await runSteps();
} finally {
  leftAlive = (await stopPop()).leftAlive;
}
process.stdout.write(`highest rate with 0 failed calls: ${highestPassingRate(steps, 0) ?? 'none'} cps\n`);
process.stdout.write(leftAlive.length === 0 ? '# vpop up and every child it ran have exited\n' : `# STILL ALIVE after vpop up stopped: ${leftAlive.join(', ')}\n`);

const report = {
  benchmark: 'edge-cps', logLevel: values['log-level'], stepSeconds, durationMs, machine: machineAtStart, finishedLoadAverage: machineInfo().loadAverage, logs: logDir,
  highestZeroFailedRate: highestPassingRate(steps, 0), leftAlive, steps,
};
const out = values.out ?? join(logDir, 'result.json');
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`# result: ${out}\n`);
if (leftAlive.length > 0) process.exitCode = 1;
