// `vpop firewall render`: the POP's nftables ruleset, from the same POP file the engine
// enforces, so the host firewall and the engine's allow-lists cannot drift apart.
import type { Command } from 'commander';
import { ConfigError, loadPopConfig } from '../../platform/config/load-pop-config.js';
import { FirewallConfigError, renderNftRuleset } from '../../platform/firewall/nft-ruleset.js';

const EXIT_CONFIG = 2;

export function registerFirewallCommand(program: Command): void {
  const firewall = program
    .command('firewall')
    .description('Host firewall (nftables) generated from a POP file');

  firewall
    .command('render')
    .description('Print the nftables ruleset of a POP on stdout')
    .requiredOption('--pop <file>', 'POP configuration file')
    .option('--ssh-from <address>', 'fail unless firewall.ssh.allow covers this address (the one the deployer connects from)')
    .addHelpText('after', `
The ruleset replaces the table "inet vpop" in one transaction and leaves other tables
alone. Input policy drop; accepted: loopback, established connections, essential ICMP,
each SIP listener's port from the trunks allowed that transport (trunks[].allow, v4 and
v6), the phones (phones.allow) and the routing core (routingCore.sipUri), the rtpengine
media range (UDP rtpengine.portMin-portMax), the ops port from firewall.monitoring.allow,
SSH (firewall.ssh.port) from firewall.ssh.allow. Drops are counted in named counters:
sip_dropped, ops_dropped, ssh_dropped, invalid_dropped, other_dropped.

Certificates and secret files are not read: render on the deploy host before they exist.
Exit status 2 when the POP file is invalid, has no firewall section, or (with
--ssh-from) would not let the deployer's address reach SSH.

Examples:
  vpop firewall render --pop configs/pops/nyc1-a.yaml > nyc1-a.nft
  vpop firewall render --pop nyc1-a.yaml --ssh-from 198.51.100.241 > nyc1-a.nft
  nft -c -f nyc1-a.nft        # check only; safe anywhere
  nft -f nyc1-a.nft           # load (atomic replace of table inet vpop)
  nft list counter inet vpop sip_dropped`)
    .action((options: { pop: string; sshFrom?: string }) => {
      try {
        const pop = loadPopConfig(options.pop, { checkFiles: false });
        process.stdout.write(renderNftRuleset(pop, { sourceFile: options.pop, ...(options.sshFrom !== undefined ? { sshFrom: options.sshFrom } : {}) }));
      } catch (error) {
        if (error instanceof ConfigError) process.stderr.write(`vpop firewall render: ${error.message}\n`);
        else if (error instanceof FirewallConfigError) process.stderr.write(`vpop firewall render: ${options.pop}: ${error.message}\n`);
        else throw error;
        process.exitCode = EXIT_CONFIG;
      }
    });
}
