// A process that owns one call's recording and nothing else, for the crash test: it
// starts recording the call named on its command line, prints the recording id as one
// JSON line, and keeps running until it is killed.
import { PromptLibrary } from '../prompts/prompt-library.js';
import { readMasterKey } from '../recording/master-key.js';
import { RecordingStore } from '../recording/recording-store.js';
import { RtpengineCallMedia } from '../call-media/rtpengine-call-media.js';
import type { MediaCall } from '../call-media/call-media.js';

interface OwnerArgs {
  ngAddress: string;
  ngPort: number;
  recordingsDir: string;
  spoolDir: string;
  promptCacheDir: string;
  masterKeyFile: string;
  call: MediaCall;
}

const args = JSON.parse(process.argv[2] ?? '{}') as OwnerArgs;
const store = new RecordingStore({ dir: args.recordingsDir, spoolDir: args.spoolDir, masterKey: readMasterKey(args.masterKeyFile), retentionDays: 30 });
const media = await RtpengineCallMedia.start({
  ngAddress: args.ngAddress, ngPort: args.ngPort, dtmfLog: { address: '127.0.0.1', port: 0 },
  prompts: new PromptLibrary({ cacheDir: args.promptCacheDir }), recordings: store,
});
const recordingId = await media.startRecording(args.call, { dialledNumber: '18005550100', caller: '+15550001111', agent: 'agent-8', queue: 'support' }, 'flow');
process.stdout.write(`${JSON.stringify({ recordingId })}\n`);
setInterval(() => {}, 60_000);
