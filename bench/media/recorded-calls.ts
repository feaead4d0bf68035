// How many concurrent RECORDED calls one node's rtpengine carries with 0 packet loss, next
// to the same calls not recorded. Each call: two RTP peers (G.711, 50 packets/s each way)
// anchored on a real rtpengine (--num-threads=2, pcap recording as the POP runs it); the
// peers run in this process on 127.0.0.21 with one pacer. Per step: rtpengine CPU, packets
// received against packets sent end to end, drops on rtpengine's and the peers' sockets;
// then every recording is stopped at once (as if all calls hung up together) and joined.
//   npm run build && node dist/bench/media/recorded-calls.js [--calls 100,200,300] [--hold-seconds 15]
// Figures go in docs/benchmarks.md ("Media plane").
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RtpengineCallMedia } from '../../media/call-media/rtpengine-call-media.js';
import { PromptLibrary } from '../../media/prompts/prompt-library.js';
import { RecordingStore } from '../../media/recording/recording-store.js';
import { startTestRtpengine } from '../../media/testing/test-rtpengine.js';
import { startTwoPartyCall, type TwoPartyCall } from '../../media/testing/two-party-call.js';
import { describeMachine, machineInfo } from '../engine/machine-info.js';
import { startUsageWindow } from '../engine/process-sampler.js';
import { readUdpSocketDropsWhere } from '../sbc/udp-socket-drops.js';

const PEERS = '127.0.0.21';
const { values } = parseArgs({ options: { calls: { type: 'string', default: '100,200,300' }, 'hold-seconds': { type: 'string', default: '15' } } });
const steps = values.calls.split(',').map(Number);
const holdMs = Number(values['hold-seconds']) * 1000;

process.stdout.write(`# concurrent calls on rtpengine (2 threads), recorded vs not; ${holdMs / 1000} s measured per step\n`);
process.stdout.write(`# ${describeMachine(machineInfo())}\n`);
process.stdout.write('| calls | recorded | rtpengine CPU % | packets sent | received | loss | rtpengine socket drops | peer socket drops | join+encrypt all (wall s) |\n');
process.stdout.write('| ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n');

const maxCalls = Math.max(...steps);
const rtpengine = await startTestRtpengine(maxCalls * 4 + 100, { threads: 2 });
const store = new RecordingStore({ dir: join(rtpengine.stateDir, 'recordings'), spoolDir: rtpengine.spoolDir, masterKey: randomBytes(32), retentionDays: 1 });
const media = await RtpengineCallMedia.start({
  ngAddress: rtpengine.ngAddress, ngPort: rtpengine.ngPort, dtmfLog: { address: '127.0.0.1', port: 0 },
  prompts: new PromptLibrary({ cacheDir: join(rtpengine.stateDir, 'prompts') }), recordings: store,
});

async function step(calls: number, record: boolean): Promise<void> {
  const running: TwoPartyCall[] = [];
  // One pacer for every peer, running while the calls are set up.
  const pacer = setInterval(() => {
    const now = Date.now();
    for (const call of running) {
      call.caller.sendDue(now);
      call.agent.sendDue(now);
    }
  }, 5);
  for (let index = 0; index < calls; index++) {
    running.push(await startTwoPartyCall(rtpengine, { caller: 700, agent: 1100 }, { address: PEERS, keepReceived: false, selfPaced: false }));
  }
  if (record) for (const call of running) await media.startRecording(call.call, { caller: '+15550000000' }, 'bench');
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const dropsBefore = await readUdpSocketDropsWhere({ portMin: rtpengine.portMin, portMax: rtpengine.portMax });
  const peerDropsBefore = await readUdpSocketDropsWhere({ address: PEERS });
  const window = await startUsageWindow([{ name: 'rtpengine', pid: rtpengine.pid }]);
  const sentBefore = running.reduce((sum, call) => sum + call.caller.sent + call.agent.sent, 0);
  const receivedBefore = running.reduce((sum, call) => sum + call.caller.receivedVoice + call.agent.receivedVoice, 0);
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  const [usage] = await window.finish();
  clearInterval(pacer);
  // Packets in flight when the senders stop still arrive.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sent = running.reduce((sum, call) => sum + call.caller.sent + call.agent.sent, 0) - sentBefore;
  const received = running.reduce((sum, call) => sum + call.caller.receivedVoice + call.agent.receivedVoice, 0) - receivedBefore;
  const drops = (await readUdpSocketDropsWhere({ portMin: rtpengine.portMin, portMax: rtpengine.portMax })).drops - dropsBefore.drops;
  const peerDrops = (await readUdpSocketDropsWhere({ address: PEERS })).drops - peerDropsBefore.drops;
  let joinSeconds = '-';
  if (record) {
    const started = performance.now();
    await Promise.all(running.map((call) => media.stopRecording(call.call, 'bench')));
    joinSeconds = ((performance.now() - started) / 1000).toFixed(1);
  }
  for (const call of running) {
    await media.callEnded(call.call);
    await call.end();
  }
  const loss = sent === 0 ? 0 : Math.max(0, 1 - received / sent);
  process.stdout.write(`| ${calls} | ${record ? 'yes' : 'no'} | ${usage?.cpuPercent?.toFixed(0) ?? '-'} | ${sent} | ${received} | ${(loss * 100).toFixed(2)}% | ${drops} | ${peerDrops} | ${joinSeconds} |\n`);
}

process.once('SIGINT', () => { void rtpengine.stop().then(() => process.exit(130)); });
process.once('SIGTERM', () => { void rtpengine.stop().then(() => process.exit(143)); });
try {
  for (const calls of steps) {
    await step(calls, false);
    await step(calls, true);
  }
} finally {
  await media.close();
  store.close();
  await rtpengine.stop();
}
