// `vpop config check` validates POP files for operators and CI; `vpop config schema`
// prints the JSON Schema editors use to complete and validate them.
import type { Command } from 'commander';
import { checkPopFiles } from '../../platform/config/load-pop-config.js';
import { popJsonSchemaText } from '../../platform/config/pop-json-schema.js';

interface CheckOptions {
  files: boolean;
  root?: string;
}

export function registerConfigCommand(program: Command): void {
  const config = program
    .command('config')
    .description('Work with POP configuration files (configs/pops/*.yaml)');

  config
    .command('check')
    .description('Validate POP files; print every problem with file, line, column and field path; exit 1 on any')
    .argument('<files...>', 'POP YAML files')
    .option('--root <dir>', 'look up files written with absolute paths (/etc/vpop/...) under DIR, e.g. a staged deployment tree')
    .option('--no-files', 'skip the checks of certificate, key, CA, chain, secret and password files (existence and content)')
    .addHelpText('after', `
Checks, for each file: YAML syntax; every field's type and allowed values, unknown keys;
CIDR blocks and IP literals; port clashes between all services on one address (SIP
listeners, engine control, rtpengine ng/cli/http, ops; the media range is reserved);
trunk transports without a listener; TLS-only trunks without a tls section; duplicate
names; overlapping allow-lists between trunks (unless both use client certificates) and
between trunks and phones; referenced files that do not exist (unless tls.generateIfMissing
covers them); TLS files that do not hold a valid certificate, its matching key, or CA/chain
certificates. Files given together that form a redundant pair are checked against each
other: each names the other, one primary and one secondary, the peer address is the
peer's, and both serve the same trunks from the same addresses. Relative paths resolve
against the POP file's directory.

Output: one line per problem, "file:line:column  path  message"; "ok: FILE (pop ID)" for
each valid file. Exit status 0 when every file is valid, 1 otherwise.

Examples:
  vpop config check --no-files configs/pops/*.yaml
      (--no-files: the nyc1-* examples name certificates and secrets under /etc/vpop
      that exist on a deployed POP, not on a laptop)
  vpop config check configs/pops/local.yaml
  vpop config check --root build/stage configs/pops/nyc1-a.yaml`)
    .action((files: string[], options: CheckOptions) => {
      const checkOptions = { checkFiles: options.files, ...(options.root !== undefined ? { root: options.root } : {}) };
      let failed = false;
      for (const { file, problems, config: pop } of checkPopFiles(files, checkOptions)) {
        if (problems.length === 0 && pop) {
          process.stdout.write(`ok: ${file} (pop ${pop.pop.id})\n`);
          continue;
        }
        failed = true;
        for (const problem of problems) {
          process.stdout.write(`${problem.file}:${problem.line}:${problem.column}  ${problem.path}  ${problem.message}\n`);
        }
      }
      if (failed) process.exitCode = 1;
    });

  config
    .command('schema')
    .description('Print the JSON Schema of POP files (the same as configs/pops/pop.schema.json)')
    .action(() => {
      process.stdout.write(popJsonSchemaText());
    });
}
