// `vpop drain`: stop a running POP taking new calls and wait for the calls in progress
// to end, up to a limit; run before a restart (the Ansible upgrade handler does).
import type { Command } from 'commander';
import { hostPort } from '../../platform/config/ip-literal.js';
import { ConfigError, loadPopConfig } from '../../platform/config/load-pop-config.js';
import { startDraining, stopDraining } from '../../platform/drain/drain-flag.js';

const EXIT_CONFIG = 2;

/**
 * Calls in progress: the sum of vpop_sbc_calls_active over trunks in a /metrics text; 0
 * when the family is declared with no series yet (no call since start), undefined when
 * the SBC's figures are missing altogether.
 */
export function callsInProgress(exposition: string): number | undefined {
  let total: number | undefined;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('# TYPE vpop_sbc_calls_active ')) total ??= 0;
    const match = /^vpop_sbc_calls_active(?:\{[^}]*\})? (\S+)/.exec(line);
    if (match) total = (total ?? 0) + Number(match[1]);
  }
  return total;
}

/**
 * Calls in progress from the ops endpoint, undefined when it does not answer within 5 s.
 * The timer is a plain (ref'd) one: AbortSignal.timeout's is unref'd, and an ops endpoint
 * that holds the connection unanswered (a source off ops.allow) then left Node with
 * nothing to wait on, exiting 13 mid-drain.
 */
async function scrapeCalls(url: string): Promise<number | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const response = await fetch(url, { signal: controller.signal });
    return callsInProgress(await response.text());
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

interface DrainOptions {
  pop: string;
  timeout: string;
  cancel?: boolean;
}

export function registerDrainCommand(program: Command): void {
  program
    .command('drain')
    .description('Stop a running POP taking new calls (503 + Retry-After) and wait until its calls in progress end, up to --timeout')
    .requiredOption('--pop <file>', 'POP configuration file')
    .option('--timeout <seconds>', 'give up waiting after this long', '120')
    .option('--cancel', 'take new calls again (end a drain without restarting)')
    .addHelpText('after', `
Creates <stateDir>/draining, which the SBC checks for every new INVITE, then reads the
calls in progress (vpop_sbc_calls_active) from the ops endpoint once a second (run it on
the POP host: ops.allow must include the address it connects from).
\`vpop up\` removes the file when it starts, so a restart after a drain takes calls again.

Exit status: 0 when no call is left (or the POP is not running), 1 when calls are still
up at the timeout (the POP keeps refusing new calls), 2 for an unusable POP file.

Examples:
  vpop drain --pop /etc/vpop/pop.yaml --timeout 300 && systemctl restart vpop
  vpop drain --pop /etc/vpop/pop.yaml --cancel`)
    .action(async (options: DrainOptions) => {
      process.exitCode = await runDrain(options);
    });
}

async function runDrain(options: DrainOptions): Promise<number> {
  let pop;
  try {
    pop = loadPopConfig(options.pop, { checkFiles: false });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`vpop drain: ${error.message}\n`);
    return EXIT_CONFIG;
  }
  if (options.cancel) {
    stopDraining(pop.stateDir);
    process.stdout.write(`vpop drain: ${pop.pop.id} takes new calls again\n`);
    return 0;
  }
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
    process.stderr.write(`vpop drain: --timeout must be a number of seconds, got "${options.timeout}"\n`);
    return EXIT_CONFIG;
  }
  startDraining(pop.stateDir);
  const url = `http://${hostPort(pop.ops.address, pop.ops.port)}/metrics`;
  const started = Date.now();
  let last: number | undefined;
  for (;;) {
    const calls = await scrapeCalls(url);
    const waited = ((Date.now() - started) / 1000).toFixed(1);
    if (calls === undefined && last === undefined) {
      process.stdout.write(`vpop drain: ${pop.pop.id} is not running (${url} did not answer): nothing to drain\n`);
      return 0;
    }
    if (calls === 0) {
      process.stdout.write(`vpop drain: ${pop.pop.id} drained: no call in progress after ${waited} s\n`);
      return 0;
    }
    if (calls !== undefined && calls !== last) process.stdout.write(`vpop drain: ${pop.pop.id}: ${calls} call(s) in progress after ${waited} s\n`);
    last = calls ?? last;
    if (Date.now() - started >= timeoutSeconds * 1000) {
      process.stdout.write(`vpop drain: ${pop.pop.id}: timed out after ${waited} s with ${last ?? '?'} call(s) in progress; still refusing new calls\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
