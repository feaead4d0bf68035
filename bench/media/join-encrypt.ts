// How long the recorder takes to turn a recorded call into its encrypted file: reading
// rtpengine-format pcap segments, joining them into stereo (with pauses as silence), and
// AES-256-GCM encryption into the recordings directory, per recorded minute.
//   npm run build && node dist/bench/media/join-encrypt.js [--minutes 1,10,60] [--segments 3]
// Figures go in docs/benchmarks.md ("Media plane").
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RecordingStore } from '../../media/recording/recording-store.js';
import { spoolCallIdName } from '../../media/recording/rtpengine-spool.js';
import { syntheticRtpPcap } from '../../media/testing/pcap-writer.js';
import { describeMachine, machineInfo } from '../engine/machine-info.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '1,10,60' }, segments: { type: 'string', default: '3' } } });
const minutesList = values.minutes.split(',').map(Number);
const segments = Number(values.segments);

process.stdout.write(`# join + encrypt per recorded minute: ${segments} segments a call, 1 s paused between segments, G.711 both ways\n`);
process.stdout.write(`# ${describeMachine(machineInfo())}\n`);
process.stdout.write('| recorded minutes | pcap MiB | encrypted MiB | wall ms | CPU ms | CPU ms per recorded minute | peak RSS MiB |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n');

const dir = mkdtempSync(join(tmpdir(), 'vpop-bench-join-'));
const spoolDir = join(dir, 'spool');
mkdirSync(join(spoolDir, 'pcaps'), { recursive: true });
const store = new RecordingStore({ dir: join(dir, 'recordings'), spoolDir, masterKey: randomBytes(32), retentionDays: 1 });
try {
  for (const minutes of minutesList) {
    const callId = `bench-${minutes}@h`;
    const started = Date.now() - minutes * 60_000 - segments * 1000;
    const id = store.begin({ callId, caller: '+15550000000' }, 'bench', started);
    store.ports(id, new Map([[30000, 'caller'], [30002, 'agent']]));
    let pcapBytes = 0;
    const segmentSeconds = (minutes * 60) / segments;
    for (let segment = 0; segment < segments; segment++) {
      const pcap = syntheticRtpPcap([
        { port: 30000, frequency: 700, ssrc: 11, firstTimestamp: 1000 + segment * segmentSeconds * 8000 },
        { port: 30002, frequency: 1100, ssrc: 22, firstTimestamp: 5 },
      ], started + segment * (segmentSeconds + 1) * 1000, segmentSeconds);
      pcapBytes += pcap.length;
      writeFileSync(join(spoolDir, 'pcaps', `${spoolCallIdName(callId)}-${segment.toString(16).padStart(16, '0')}.pcap`), pcap);
    }
    global.gc?.();
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const summary = await store.finish(id, 'complete');
    const wallMs = performance.now() - wallBefore;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
    process.stdout.write(`| ${minutes} | ${mib(pcapBytes)} | ${mib(summary.bytes ?? 0)} | ${wallMs.toFixed(0)} | ${cpuMs.toFixed(0)} | ${(cpuMs / minutes).toFixed(0)} | ${mib(process.resourceUsage().maxRSS * 1024)} |\n`);
  }
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
