#!/usr/bin/env node
// The `vpop` command line: one entry point, one file per subcommand in cli/commands/.
import { Command } from 'commander';
import { registerUpCommand } from './commands/up.js';
import { registerConfigCommand } from './commands/config.js';
import { registerEngineCommand } from './commands/engine.js';
import { registerCertsCommand } from './commands/certs.js';
import { registerRecordingsCommand } from './commands/recordings.js';
import { registerFirewallCommand } from './commands/firewall.js';

const program = new Command()
  .name('vpop')
  .description('VPOP telephony edge: SIP/TLS trunks, rtpengine media, routing core')
  .showHelpAfterError();

registerUpCommand(program);
registerConfigCommand(program);
registerEngineCommand(program);
registerCertsCommand(program);
registerRecordingsCommand(program);
registerFirewallCommand(program);

await program.parseAsync(process.argv);
