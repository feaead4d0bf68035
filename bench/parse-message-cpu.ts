// SIP message parser throughput in messages per CPU-second, so the figure holds
// on a shared machine where wall-clock benchmarks (parse-message.bench.ts) swing
// with other load. Run: `npm run build && node dist/bench/parse-message-cpu.js`.

import { readFileSync } from 'node:fs';
import { parseSipMessage } from '../edge/engine/messages/parse-message.js';
import { serializeSipMessage } from '../edge/engine/messages/serialize-message.js';
import { parseTopVia } from '../edge/engine/messages/headers/via.js';
import { getTag } from '../edge/engine/messages/headers/name-addr.js';
import { parseCSeq } from '../edge/engine/messages/headers/cseq.js';
import { describeMachine, machineInfo } from './engine/machine-info.js';
import { sourceFile } from './engine/repo-paths.js';

const CPU_SECONDS_PER_CASE = 2;
const BATCH = 2_000;

const invite = readFileSync(sourceFile('test/fuzz/corpus/invite-sdp.sip'));
const ok = readFileSync(sourceFile('test/fuzz/corpus/ok-200-sdp.sip'));
const parsedInvite = parseSipMessage(invite);

const cases: [string, () => void][] = [
  ['parse INVITE with SDP', () => parseSipMessage(invite)],
  ['parse 200 OK with SDP', () => parseSipMessage(ok)],
  [
    'parse INVITE + top Via, From/To tags, CSeq',
    () => {
      const msg = parseSipMessage(invite);
      parseTopVia(msg.headers.get('Via')!);
      getTag(msg.headers.get('From')!);
      getTag(msg.headers.get('To')!);
      parseCSeq(msg.headers.get('CSeq')!);
    },
  ],
  ['serialize INVITE with SDP', () => serializeSipMessage(parsedInvite)],
];

function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

console.log(describeMachine(machineInfo()));
for (const [name, run] of cases) {
  for (let i = 0; i < 20_000; i++) run(); // warm up the JIT
  const start = process.cpuUsage();
  const wallStart = performance.now();
  let count = 0;
  while (cpuMicros(start) < CPU_SECONDS_PER_CASE * 1e6) {
    for (let i = 0; i < BATCH; i++) run();
    count += BATCH;
  }
  const cpu = cpuMicros(start) / 1e6;
  const wall = (performance.now() - wallStart) / 1000;
  const perCpuSecond = Math.round(count / cpu);
  console.log(
    `${name}: ${perCpuSecond.toLocaleString('en')} messages per CPU-second ` +
      `(${((cpu / count) * 1e6).toFixed(2)} µs CPU each; wall ${Math.round(count / wall).toLocaleString('en')}/s)`,
  );
}
