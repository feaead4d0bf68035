// Files a POP refers to must exist before it starts: certificates, secrets, passwords, the
// material a deployment puts in place; TLS files must also hold what their field says.
// Directories (stateDir, recordingDir) are created on first run, and the rtpengine binary
// is software the install provides (vpop up reports it if absent), so neither is checked.
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { PopConfig } from './pop-schema.js';
import type { PathProblem } from './path-problem.js';
import { readCertificates, readPrivateKey, validityProblem } from './tls-material.js';
import type { FieldPath } from './yaml-positions.js';

export interface FileCheckOptions {
  /** Look up paths written as absolute under this directory (a staged tree) instead of /. */
  root?: string;
  /** The time certificates must be valid at. */
  now?: Date;
}

/**
 * Problems with the files a POP refers to. `written` is the config as in the file,
 * `resolved` the same with absolute paths.
 */
export function popFileProblems(written: PopConfig, resolved: PopConfig, options: FileCheckOptions = {}): PathProblem[] {
  const problems: PathProblem[] = [];
  /** Where the file is looked for, or undefined (with a problem recorded) when it is not there. */
  const locate = (path: FieldPath, writtenPath: string | undefined, resolvedPath: string | undefined, required: boolean): string | undefined => {
    if (writtenPath === undefined || resolvedPath === undefined) return undefined;
    const location = options.root !== undefined && isAbsolute(writtenPath) ? join(options.root, writtenPath) : resolvedPath;
    const problem = fileProblem(location);
    if (!problem) return location;
    if (required) {
      const shown = location === writtenPath ? location : `${writtenPath} (looked for ${location})`;
      problems.push({ path, message: `${problem}: ${shown}` });
    }
    return undefined;
  };

  if (written.tls && resolved.tls) {
    // With generateIfMissing, absent cert and key are made on first run; present ones are still checked.
    const required = !written.tls.generateIfMissing;
    const cert = locate(['tls', 'certFile'], written.tls.certFile, resolved.tls.certFile, required);
    const key = locate(['tls', 'keyFile'], written.tls.keyFile, resolved.tls.keyFile, required);
    const ca = locate(['tls', 'caFile'], written.tls.caFile, resolved.tls.caFile, true);
    const chain = locate(['tls', 'chainFile'], written.tls.chainFile, resolved.tls.chainFile, true);
    problems.push(...tlsContentProblems({ cert, key, ca, chain }, options.now ?? new Date()));
  }
  // The core link's CA and the core's own pair: made on first run with the POP's local CA when generateIfMissing.
  const generated = written.tls?.generateIfMissing === true;
  for (const field of ['caFile', 'certFile', 'keyFile'] as const) {
    const location = locate(['routingCore', field], written.routingCore[field], resolved.routingCore[field], !generated);
    if (location === undefined || field === 'keyFile') continue;
    const bundle = readCertificates(location);
    if ('problem' in bundle) problems.push({ path: ['routingCore', field], message: bundle.problem });
  }
  locate(['engine', 'secretFile'], written.engine.secretFile, resolved.engine.secretFile, true);
  locate(['ops', 'tokenFile'], written.ops.tokenFile, resolved.ops.tokenFile, true);
  written.phones?.credentials?.forEach((credential, index) => {
    locate(['phones', 'credentials', index, 'passwordFile'], credential.passwordFile, resolved.phones?.credentials?.[index]?.passwordFile, true);
  });
  return problems;
}

interface TlsLocations {
  cert: string | undefined;
  key: string | undefined;
  ca: string | undefined;
  chain: string | undefined;
}

function tlsContentProblems(files: TlsLocations, now: Date): PathProblem[] {
  const problems: PathProblem[] = [];
  let leaf;
  if (files.cert !== undefined) {
    const certificates = readCertificates(files.cert);
    if ('problem' in certificates) problems.push({ path: ['tls', 'certFile'], message: certificates.problem });
    else {
      leaf = certificates.value[0];
      const invalid = leaf && validityProblem(leaf, now);
      if (invalid) problems.push({ path: ['tls', 'certFile'], message: invalid });
    }
  }
  if (files.key !== undefined) {
    const key = readPrivateKey(files.key);
    if ('problem' in key) problems.push({ path: ['tls', 'keyFile'], message: key.problem });
    else if (leaf && !leaf.checkPrivateKey(key.value)) {
      problems.push({ path: ['tls', 'keyFile'], message: 'this key is not the private key of the certificate in tls.certFile' });
    }
  }
  for (const field of ['caFile', 'chainFile'] as const) {
    const location = field === 'caFile' ? files.ca : files.chain;
    if (location === undefined) continue;
    const bundle = readCertificates(location);
    if ('problem' in bundle) problems.push({ path: ['tls', field], message: bundle.problem });
  }
  return problems;
}

function fileProblem(location: string): string | undefined {
  try {
    return statSync(location).isFile() ? undefined : 'not a regular file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`;
  }
}
