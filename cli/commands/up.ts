import type { Command } from 'commander';

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description("Start a POP's processes under a supervisor (rtpengine; later the SIP engine, SBC and routing core) and serve /healthz, /readyz and /metrics on the ops port")
    .option('--pop <file>', 'POP configuration file', 'configs/pops/local.yaml')
    .action(async () => {
      throw new Error('vpop up: not implemented yet');
    });
}
