import type { Command } from 'commander';

export function registerEngineCommand(program: Command): void {
  program
    .command('engine')
    .description('Run the SIP engine standalone (drachtio control protocol server)')
    .action(async () => {
      throw new Error('vpop engine: not implemented yet');
    });
}
