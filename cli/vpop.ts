#!/usr/bin/env node
// The `vpop` command line: one entry point, one file per subcommand in cli/commands/.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerUpCommand } from './commands/up.js';
import { registerConfigCommand } from './commands/config.js';
import { registerEngineCommand } from './commands/engine.js';
import { registerCertsCommand } from './commands/certs.js';
import { registerRecordingsCommand } from './commands/recordings.js';
import { registerCoreCommand } from './commands/core.js';
import { registerFirewallCommand } from './commands/firewall.js';
import { registerDrainCommand } from './commands/drain.js';

// package.json is two levels up from dist/cli/vpop.js.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('vpop')
  .description('VPOP telephony edge: SIP/TLS trunks, rtpengine media, routing core')
  .version(version, '-V, --version', 'print the version of vpop')
  .showHelpAfterError();

registerUpCommand(program);
registerConfigCommand(program);
registerEngineCommand(program);
registerCertsCommand(program);
registerRecordingsCommand(program);
registerCoreCommand(program);
registerFirewallCommand(program);
registerDrainCommand(program);

await program.parseAsync(process.argv);
