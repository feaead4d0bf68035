// `vpop core`: the routing core on its own, from a core file (configs/core/*.yaml).
import type { Command } from 'commander';
import { formatConfigProblem } from '../../platform/config/config-problem.js';
import { componentLogger, configureLogging } from '../../platform/logging/logger.js';
import { exitWithSupervisor, reportReady } from '../../platform/supervisor/supervisor-channel.js';
import { hashPassword } from '../../routing-core/entities/password-hash.js';
import { inspectCoreFile } from '../../routing-core/provisioning/load-core-file.js';
import { startCore } from '../../routing-core/start-core.js';

/** Exit status for a core file that cannot be used (as opposed to a runtime failure). */
const EXIT_CONFIG = 2;

export function registerCoreCommand(program: Command): void {
  const core = program
    .command('core')
    .description('Run the routing core alone: entry points, flows, queues, agents, REST + WebSocket API (OpenAPI at /openapi.json)')
    .option('--config <file>', 'core file', 'configs/core/local.yaml')
    .option('--check', 'only validate the core file and print its problems')
    .addHelpText('after', `
Loads the core file (each problem printed as file:line:column: field.path: message),
provisions its contact center into the database, and serves the API on core.http
(127.0.0.1:8080 in configs/core/local.yaml). Shared state is in this process unless
core.redis names a Redis server, which several cores then share.
Runs in the foreground and logs JSON lines on stdout; SIGINT/SIGTERM stop it.
Exit status 2: invalid core file; 1: cannot start (port taken, Redis unreachable).

Examples:
  vpop core --config configs/core/local.yaml
  curl -s http://127.0.0.1:8080/openapi.json | head -c 200
  TOKEN=$(curl -s -H 'content-type: application/json' -d '{"login":"admin","password":"demo"}' \\
    http://127.0.0.1:8080/api/v1/auth/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/queues`)
    .action(async (options: { config: string; check?: boolean }) => {
      const { problems, config } = inspectCoreFile(options.config);
      if (problems.length > 0 || !config) {
        for (const problem of problems) process.stderr.write(`${formatConfigProblem(problem)}\n`);
        process.exit(EXIT_CONFIG);
      }
      if (options.check) {
        process.stdout.write(`${options.config}: ok\n`);
        return;
      }
      configureLogging({});
      const logger = componentLogger('routing-core');
      let running;
      try {
        running = await startCore(config, { logger });
      } catch (error) {
        logger.error({ err: error }, 'routing core could not start');
        process.exit(1);
      }
      logger.info({ url: running.url, state: running.runtime.state.kind, instance: running.runtime.instanceId }, 'routing core serving');
      const core = running;
      // Under vpop up: ready once the API serves; stop when the supervisor goes.
      reportReady({ url: core.url });
      exitWithSupervisor(() => core.stop(), logger);
      const stop = (signal: NodeJS.Signals): void => {
        logger.info({ signal }, 'stopping');
        core.stop().then(() => process.exit(0), (error: unknown) => {
          logger.error({ err: error }, 'stop failed');
          process.exit(1);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  core
    .command('hash-password')
    .description('Print the scrypt hash of a password read from standard input, for users[].passwordHash')
    .action(async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
      if (password === '') {
        process.stderr.write('vpop core hash-password: no password on standard input\n');
        process.exit(EXIT_CONFIG);
      }
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
}
