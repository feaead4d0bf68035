import type { Command } from 'commander';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('Work with POP configuration files');
  config
    .command('check')
    .description('Validate POP files; print every problem with file, line and field path; exit non-zero on any')
    .argument('<files...>', 'POP YAML files')
    .action(async () => {
      throw new Error('vpop config check: not implemented yet');
    });
}
