// `vpop certs`: the certificates of a POP. Make a CA, request and issue certificates,
// make the first-run certificate, rotate or install a new one without dropping calls,
// and show what a certificate file holds (including the fingerprint POP files use).
import { writeFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError, loadPopConfig } from '../../platform/config/load-pop-config.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { checkCaDirectoryFree, readCertificateAuthority, writeCertificateAuthority } from '../../certs/ca-directory.js';
import { createCertificateAuthority } from '../../certs/certificate-authority.js';
import { CertificateError } from '../../certs/certificate-error.js';
import { PRIVATE_KEY_MODE } from '../../certs/certificate-files.js';
import { writeFileAtomically } from '../../certs/atomic-file-write.js';
import { createCertificateRequest } from '../../certs/certificate-request.js';
import { formatCertificateSummary, parseFirstCertificate, summarizeCertificate, summarizeCertificates } from '../../certs/certificate-summary.js';
import { ensurePopCertificate } from '../../certs/ensure-pop-certificate.js';
import { certificateUsages, issueCertificate, type CertificateUsage } from '../../certs/issue-certificate.js';
import { popCertificateFitnessProblems } from '../../certs/pop-certificate-fitness.js';
import { popCertificateNames } from '../../certs/pop-certificate-names.js';
import { installPopCertificate, popTlsFiles, rotatePopCertificate, type RotationOutcome } from '../../certs/rotate-pop-certificate.js';
import { readTextFile } from '../../certs/read-text-file.js';
import { generateRsaKeyPair, rsaKeySizes, type RsaKeySize } from '../../certs/rsa-key-pair.js';

/** Exit status for a POP file that cannot be used, as for `vpop up`. */
const EXIT_CONFIG = 2;
const RELOAD_NOTE =
  'New TLS connections get the new pair once the engine reloads its certificates; connections already open, and the calls on them, keep the old one.';

export function registerCertsCommand(program: Command): void {
  const certs = program
    .command('certs')
    .description("A POP's TLS certificates: local CA, CSR, issue, first-run certificate, rotation without dropped calls, inspection")
    .addHelpText('after', `
Typical flows (docs/certificates.md has the details):
  first run      vpop certs ensure --pop configs/pops/local.yaml
  own CA         vpop certs ca create --out /etc/vpop/ca
                 vpop certs rotate --pop nyc1-a.yaml --ca /etc/vpop/ca
  external CA    vpop certs csr --pop nyc1-a.yaml --key-out nyc1-a.key.next --out nyc1-a.csr
                 (the CA signs nyc1-a.csr into nyc1-a.crt.next)
                 vpop certs install --pop nyc1-a.yaml --cert nyc1-a.crt.next --key nyc1-a.key.next
  monitoring     vpop certs check --pop nyc1-a.yaml --min-days 30
  carrier cert   vpop certs issue --ca /etc/vpop/ca --csr carrier.csr --usage client --out carrier.crt
                 vpop certs show carrier.crt     (sha256 goes to trunks[].clientCert.fingerprintSha256)`);

  const ca = certs.command('ca').description('Certificate authorities');
  ca.command('create')
    .description('Make a new CA (self-signed, CA:TRUE pathlen 0, RSA) in a new directory: ca.crt and ca.key (mode 0600)')
    .requiredOption('--out <dir>', 'directory to create; an existing CA is never overwritten')
    .option('--cn <name>', 'common name of the CA', 'VPOP CA')
    .option('--org <name>', 'organization name of the CA')
    .option('--days <n>', 'validity in days', parseDays, 3650)
    .option('--key-bits <bits>', `RSA key size (${rsaKeySizes.join(', ')})`, parseKeyBits, 3072)
    .action(async (options: { out: string; cn: string; org?: string; days: number; keyBits: RsaKeySize }) => {
      await run('ca create', async () => {
        // Before the key is generated, which takes a while.
        await checkCaDirectoryFree(options.out);
        const authority = createCertificateAuthority({
          commonName: options.cn,
          days: options.days,
          keyBits: options.keyBits,
          ...(options.org !== undefined ? { organization: options.org } : {}),
        });
        const files = await writeCertificateAuthority(options.out, authority);
        const summary = summarizeCertificate(new X509Certificate(authority.certificatePem));
        print(`created CA ${summary.subject}\n  certificate ${files.certFile}\n  key         ${files.keyFile}\n  sha256      ${summary.fingerprintSha256}`);
      });
    });

  certs
    .command('csr')
    .description("Make a new private key and a certificate signing request for a POP, with its names from the POP file (TLS listeners' addresses and public addresses)")
    .requiredOption('--pop <file>', 'POP configuration file')
    .option('--key-out <file>', 'where to write the new private key (mode 0600); default <tls.keyFile>.next')
    .option('--out <file>', 'write the CSR here instead of stdout')
    .option('--key-bits <bits>', `RSA key size (${rsaKeySizes.join(', ')})`, parseKeyBits, 2048)
    .action(async (options: { pop: string; keyOut?: string; out?: string; keyBits: RsaKeySize }) => {
      await run('csr', async () => {
        const pop = loadPop(options.pop);
        const keyOut = options.keyOut ?? `${popTlsFiles(pop).keyFile}.next`;
        const keyPair = generateRsaKeyPair(options.keyBits);
        const request = createCertificateRequest(keyPair, popCertificateNames(pop));
        await writeFileAtomically(keyOut, keyPair.privateKeyPem, PRIVATE_KEY_MODE);
        process.stderr.write(`new private key: ${keyOut}\n`);
        if (options.out === undefined) process.stdout.write(request);
        else {
          await writeFile(options.out, request);
          process.stderr.write(`certificate request: ${options.out}\n`);
        }
      });
    });

  certs
    .command('issue')
    .description('Sign a certificate request (PEM, RSA key) with a CA directory made by `ca create`')
    .requiredOption('--ca <dir>', 'CA directory holding ca.crt and ca.key')
    .requiredOption('--csr <file>', 'PEM certificate request (e.g. from `vpop certs csr` or `openssl req`)')
    .option('--days <n>', 'validity in days', parseDays, 365)
    .option('--usage <usage>', `extended key usage: ${certificateUsages.join(', ')}`, parseUsage, 'both')
    .option('--out <file>', 'write the certificate here instead of stdout')
    .addHelpText('after', `
The certificate takes the request's subject, key and DNS/IP subjectAltNames; the CA sets
everything else: CA:FALSE, digitalSignature + keyEncipherment, serverAuth and/or clientAuth,
a random 128-bit serial. A server certificate needs at least one DNS or IP name.`)
    .action(async (options: { ca: string; csr: string; days: number; usage: CertificateUsage; out?: string }) => {
      await run('issue', async () => {
        const authority = await readCertificateAuthority(options.ca);
        const request = await readTextFile(options.csr);
        const certificatePem = issueCertificate({ ca: authority, request, requestSource: options.csr, days: options.days, usage: options.usage });
        if (options.out === undefined) process.stdout.write(certificatePem);
        else {
          await writeFile(options.out, certificatePem);
          print(formatCertificateSummary(summarizeCertificate(new X509Certificate(certificatePem)), new Date()));
        }
      });
    });

  certs
    .command('ensure')
    .description("First run: when the POP's certificate and key do not exist and tls.generateIfMissing is true, make a local CA under stateDir/ca and a certificate from it; otherwise change nothing")
    .requiredOption('--pop <file>', 'POP configuration file')
    .action(async (options: { pop: string }) => {
      await run('ensure', async () => {
        const outcome = await ensurePopCertificate(loadPop(options.pop));
        if (outcome.action === 'no-tls') print(`${options.pop} has no tls section; nothing to do`);
        else if (outcome.action === 'present') print(`present: ${outcome.certFile} (nothing changed)`);
        else {
          const certificate = summarizeCertificate(parseFirstCertificate(await readTextFile(outcome.certFile), outcome.certFile));
          print([
            `created: ${outcome.certFile} and ${outcome.keyFile}`,
            `  issued by ${outcome.createdCa ? 'a new' : 'the'} local CA ${outcome.caCertFile} (clients trust this file)`,
            formatCertificateSummary(certificate, new Date()).replace(/^/gm, '  '),
          ].join('\n'));
        }
      });
    });

  certs
    .command('rotate')
    .description("Replace the POP's key and certificate with new ones issued by a CA: written beside the old files, flushed, renamed into place; the old pair is kept as .prev")
    .requiredOption('--pop <file>', 'POP configuration file')
    .option('--ca <dir>', 'CA directory to issue from (default: the POP\'s local CA, <stateDir>/ca)')
    .option('--days <n>', 'validity in days', parseDays, 365)
    .addHelpText('after', `\n${RELOAD_NOTE}`)
    .action(async (options: { pop: string; ca?: string; days: number }) => {
      await run('rotate', async () => {
        const outcome = await rotatePopCertificate(loadPop(options.pop), {
          days: options.days,
          ...(options.ca !== undefined ? { caDirectory: options.ca } : {}),
        });
        printRotation('rotated', outcome);
      });
    });

  certs
    .command('install')
    .description("Put a key and certificate issued elsewhere (after `vpop certs csr`) in place of the POP's, atomically, keeping the old pair as .prev")
    .requiredOption('--pop <file>', 'POP configuration file')
    .requiredOption('--cert <file>', 'new PEM certificate (leaf first; no chain: that is tls.chainFile)')
    .requiredOption('--key <file>', 'its PEM private key')
    .addHelpText('after', `\nRefuses a key that is not the certificate's, or a certificate not valid now. Removes the --key file
once installed, so no second copy of the live private key stays behind.\n${RELOAD_NOTE}`)
    .action(async (options: { pop: string; cert: string; key: string }) => {
      await run('install', async () => {
        printRotation('installed', await installPopCertificate(loadPop(options.pop), { certFile: options.cert, keyFile: options.key }));
      });
    });

  certs
    .command('check')
    .description("Check that the POP's certificate names every TLS listener address and public host name, and has at least --min-days of validity left; exit 1 otherwise")
    .requiredOption('--pop <file>', 'POP configuration file')
    .option('--min-days <n>', 'fewest days of validity left that pass', parseDays, 30)
    .addHelpText('after', `
For monitoring and deploy checks. Prints "ok: FILE (N days left)" or one line per problem.
Whether the files parse and the key matches is \`vpop config check\`'s job.`)
    .action(async (options: { pop: string; minDays: number }) => {
      await run('check', async () => {
        const pop = loadPop(options.pop);
        const { certFile } = popTlsFiles(pop);
        const certificate = parseFirstCertificate(await readTextFile(certFile), certFile);
        const now = new Date();
        const problems = popCertificateFitnessProblems(pop, certificate, { now, minDaysLeft: options.minDays });
        if (problems.length === 0) {
          const daysLeft = Math.floor((new Date(certificate.validTo).getTime() - now.getTime()) / 86_400_000);
          print(`ok: ${certFile} (${daysLeft} days left)`);
          return;
        }
        for (const problem of problems) print(`${certFile}: ${problem}`);
        process.exitCode = 1;
      });
    });

  certs
    .command('show')
    .description('Print subject, issuer, DNS/IP names, validity, serial and SHA-256 fingerprint of each certificate in PEM files')
    .argument('<files...>', 'PEM certificate files (a bundle shows every certificate in it)')
    .option('--json', 'print JSON (one array of objects) instead of text')
    .addHelpText('after', `
The sha256 line is in the form trunks[].clientCert.fingerprintSha256 expects
(upper-case hex pairs joined by colons), ready to paste into a POP file.`)
    .action(async (files: string[], options: { json?: boolean }) => {
      await run('show', async () => {
        const now = new Date();
        const shown = [];
        for (const file of files) {
          for (const summary of summarizeCertificates(await readTextFile(file), file)) shown.push({ file, ...summary });
        }
        if (options.json) print(JSON.stringify(shown, null, 2));
        else print(shown.map(({ file, ...summary }) => `${file}\n${formatCertificateSummary(summary, now).replace(/^/gm, '  ')}`).join('\n\n'));
      });
    });
}

function printRotation(verb: string, outcome: RotationOutcome): void {
  const lines = [`${verb}: ${outcome.certificate.subject}, valid until ${outcome.certificate.notAfter.toISOString()}`, `  sha256 ${outcome.certificate.fingerprintSha256}`];
  if (outcome.previous) lines.push(`  previous pair kept as ${outcome.previous.certFile} and ${outcome.previous.keyFile}`);
  if (outcome.removedKeyFile) lines.push(`  removed ${outcome.removedKeyFile}: the key now lives only in tls.keyFile`);
  lines.push(RELOAD_NOTE);
  print(lines.join('\n'));
}

/** Runs a subcommand; operator errors are one line on stderr and exit 1, never a stack trace. */
async function run(name: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`vpop certs ${name}: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    if (!(error instanceof CertificateError) && !isFileSystemError(error)) throw error;
    process.stderr.write(`vpop certs ${name}: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

function isFileSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** File checks are off: the point of these commands may be to make or replace those files. */
function loadPop(file: string): PopConfig {
  return loadPopConfig(file, { checkFiles: false });
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1) throw new InvalidArgumentError('expected a whole number of days, at least 1');
  return days;
}

function parseKeyBits(value: string): RsaKeySize {
  const bits = Number(value);
  if (!(rsaKeySizes as readonly number[]).includes(bits)) throw new InvalidArgumentError(`expected one of ${rsaKeySizes.join(', ')}`);
  return bits as RsaKeySize;
}

function parseUsage(value: string): CertificateUsage {
  if (!(certificateUsages as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${certificateUsages.join(', ')}`);
  return value as CertificateUsage;
}
