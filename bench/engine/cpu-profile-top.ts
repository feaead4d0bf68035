// Top self-time functions and files of a V8 .cpuprofile:
//   node dist/bench/engine/cpu-profile-top.js <file.cpuprofile> [count]
import { formatProfileSummary, summarizeCpuProfile } from './cpu-profile-summary.js';

const [file, count = '25'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: cpu-profile-top <file.cpuprofile> [count]\n');
  process.exit(2);
}
process.stdout.write(`${formatProfileSummary(await summarizeCpuProfile(file, Number(count)))}\n`);
