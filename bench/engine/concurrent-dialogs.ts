// Memory at 10,000 concurrent calls through the B2BUA: SIPp UAC (-sn uac, long -d, -l/-m N)
// -> vpop engine -> createB2BUA app -> SIPp UAS. The engine's own vpop_engine_dialogs_active
// (scraped from its /metrics) confirms how many dialogs it holds at the plateau; a B2BUA holds
// two per call, one for each leg.
//   npm run build && node dist/bench/engine/concurrent-dialogs.js [--calls 10000] [--rate 200]
//     [--plateau-seconds 20] [--transport udp|tcp] [--out result.json]
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, machineInfo } from './machine-info.js';
import { mebibytes, readProcStat } from './process-sampler.js';
import { assertPeersAlive, startBenchSipp, stopOnSignals, LOOPBACK, runUacBounded, startTopology, waitForEngineIdle } from './bench-run.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '200' },
    'plateau-seconds': { type: 'string', default: '20' },
    transport: { type: 'string', default: 'udp' },
    out: { type: 'string' },
  },
});
const calls = Number(values.calls);
const rate = Number(values.rate);
const plateauSeconds = Number(values['plateau-seconds']);
if (!(calls > 0) || !(rate > 0) || !(plateauSeconds > 0)) throw new Error('--calls, --rate and --plateau-seconds must be > 0');
if (values.transport !== 'udp' && values.transport !== 'tcp') throw new Error('--transport is udp or tcp');
const transport = values.transport === 'udp' ? 'u1' : 't1';
const rampSeconds = calls / rate;
// Every call lasts until the last one has been set up, plus the plateau being measured.
const holdMs = Math.round((rampSeconds + plateauSeconds + 10) * 1000);
const uacDeadlineSeconds = rampSeconds + holdMs / 1000 + rampSeconds + 60;

interface Sample {
  atSeconds: number;
  engineDialogs: number | undefined;
  engineHeapUsedBytes: number | undefined;
  engineRssBytes: number | undefined;
  appRssBytes: number | undefined;
}

const machine = machineInfo();
process.stdout.write(`# ${calls} concurrent calls at ${rate} cps (ramp ${rampSeconds.toFixed(0)} s, each held ${(holdMs / 1000).toFixed(0)} s) over ${values.transport}\n`);
process.stdout.write(`# ${describeMachine(machine)}\n`);

const topology = await startTopology({ name: 'dialogs', direct: false, transport, maxRunSeconds: uacDeadlineSeconds + 120 });
process.stdout.write(`# logs in ${topology.logDir}\n`);
stopOnSignals(topology);
const engine = topology.engine!;
const app = topology.app!;

async function sample(startedAt: number): Promise<Sample> {
  const [engineDialogs, engineHeapUsedBytes, engineStat, appStat] = await Promise.all([
    engine.metric('vpop_engine_dialogs_active'),
    engine.metric('nodejs_heap_size_used_bytes'),
    readProcStat(engine.child.pid),
    readProcStat(app.pid),
  ]);
  return {
    atSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
    engineDialogs, engineHeapUsedBytes, engineRssBytes: engineStat?.rssBytes, appRssBytes: appStat?.rssBytes,
  };
}

const line = (label: string, entry: Sample): string =>
  `| ${label} | ${entry.atSeconds} | ${entry.engineDialogs ?? '-'} | ${mebibytes(entry.engineRssBytes ?? Number.NaN)} | `
  + `${mebibytes(entry.engineHeapUsedBytes ?? Number.NaN)} | ${mebibytes(entry.appRssBytes ?? Number.NaN)} |`;

let report: Record<string, unknown>;
try {
  const warmup = await runUacBounded(await startBenchSipp(topology, {
    scenario: 'uac', target: topology.target, localAddress: LOOPBACK, transport,
    rate: 50, calls: 200, durationMs: 0, timeoutSeconds: 60, traceMessages: false, logDir: await mkdtemp(join(topology.logDir, 'uac-warmup-')),
  }), 70);
  process.stdout.write(`# warm-up: ${warmup.statistics?.successfulCalls ?? 0} calls succeeded\n`);
  await waitForEngineIdle(topology, 15_000);
  const startedAt = Date.now();
  const baseline = await sample(startedAt);
  const uac = await startBenchSipp(topology, {
    scenario: 'uac', target: topology.target, localAddress: LOOPBACK, transport,
    rate, calls, rateLimit: calls, durationMs: holdMs, timeoutSeconds: Math.ceil(uacDeadlineSeconds), traceMessages: false,
    logDir: await mkdtemp(join(topology.logDir, 'uac-')),
  });
  const finished = runUacBounded(uac, uacDeadlineSeconds + 5);
  let done = false;
  void finished.then(() => { done = true; });
  const timeline: Sample[] = [];
  let peak = baseline;
  // Sample every 2 s until SIPp ends; the plateau is where the dialog count peaks.
  while (!done) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assertPeersAlive(topology);
    const entry = await sample(startedAt);
    timeline.push(entry);
    if ((entry.engineDialogs ?? 0) > (peak.engineDialogs ?? 0)
      || ((entry.engineDialogs ?? 0) === (peak.engineDialogs ?? 0) && (entry.engineRssBytes ?? 0) > (peak.engineRssBytes ?? 0))) peak = entry;
  }
  const result = await finished;
  await waitForEngineIdle(topology, 60_000);
  const after = await sample(startedAt);
  process.stdout.write('| when | s | engine dialogs | engine RSS MiB | engine heap used MiB | app RSS MiB |\n| --- | ---: | ---: | ---: | ---: | ---: |\n');
  process.stdout.write(`${line('before', baseline)}\n${line('peak', peak)}\n${line('after all BYEs', after)}\n`);
  const perCall = (bytesAt: number | undefined, bytesBefore: number | undefined): number | undefined =>
    bytesAt === undefined || bytesBefore === undefined ? undefined : (bytesAt - bytesBefore) / calls;
  const enginePerCall = perCall(peak.engineRssBytes, baseline.engineRssBytes);
  const appPerCall = perCall(peak.appRssBytes, baseline.appRssBytes);
  process.stdout.write(`per call above baseline: engine ${((enginePerCall ?? Number.NaN) / 1024).toFixed(1)} KiB, app ${((appPerCall ?? Number.NaN) / 1024).toFixed(1)} KiB\n`);
  process.stdout.write(`SIPp: ${result.statistics?.totalCallsCreated ?? 0} created, ${result.statistics?.successfulCalls ?? 0} ok, `
    + `${result.statistics?.failedCalls ?? 0} failed, ${result.statistics?.retransmissions ?? 0} retransmissions\n`);
  report = {
    benchmark: 'concurrent-dialogs', calls, rate, holdMs, transport: values.transport, machine, finishedLoadAverage: machineInfo().loadAverage,
    logs: topology.logDir, baseline, peak, after, enginePerCallBytes: enginePerCall, appPerCallBytes: appPerCall,
    sipp: result.statistics, timeline,
  };
} finally {
  await topology.stop();
}
const out = values.out ?? join(topology.logDir, 'result.json');
await mkdir(join(out, '..'), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`result: ${out}\n`);
