// Files a POP refers to must exist before it starts: certificates, secrets, passwords, the
// material a deployment puts in place. Directories (stateDir, recordingDir) are created on
// first run, and the rtpengine binary is software the install provides (vpop up reports it
// if absent), so neither is checked here.
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { PopConfig } from './pop-schema.js';
import type { PathProblem } from './path-problem.js';
import type { FieldPath } from './yaml-positions.js';

interface FileReference {
  path: FieldPath;
  written: string;
  resolved: string;
}

/**
 * Problems for referenced files that are missing. `written` is the config as in the file,
 * `resolved` the same with absolute paths; with `root`, paths written as absolute are
 * looked up under root (a staged tree) instead of /.
 */
export function popFileProblems(written: PopConfig, resolved: PopConfig, root?: string): PathProblem[] {
  const references: FileReference[] = [];
  const add = (path: FieldPath, writtenPath: string | undefined, resolvedPath: string | undefined) => {
    if (writtenPath !== undefined && resolvedPath !== undefined) references.push({ path, written: writtenPath, resolved: resolvedPath });
  };

  if (written.tls && resolved.tls) {
    if (!written.tls.generateIfMissing) {
      add(['tls', 'certFile'], written.tls.certFile, resolved.tls.certFile);
      add(['tls', 'keyFile'], written.tls.keyFile, resolved.tls.keyFile);
    }
    add(['tls', 'caFile'], written.tls.caFile, resolved.tls.caFile);
    add(['tls', 'chainFile'], written.tls.chainFile, resolved.tls.chainFile);
  }
  add(['engine', 'secretFile'], written.engine.secretFile, resolved.engine.secretFile);
  written.phones?.credentials?.forEach((credential, index) => {
    add(['phones', 'credentials', index, 'passwordFile'], credential.passwordFile, resolved.phones?.credentials?.[index]?.passwordFile);
  });

  return references.flatMap((reference) => {
    const location = root !== undefined && isAbsolute(reference.written) ? join(root, reference.written) : reference.resolved;
    const problem = fileProblem(location);
    if (!problem) return [];
    const shown = location === reference.written ? location : `${reference.written} (looked for ${location})`;
    return [{ path: reference.path, message: `${problem}: ${shown}` }];
  });
}

function fileProblem(location: string): string | undefined {
  try {
    return statSync(location).isFile() ? undefined : 'not a regular file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`;
  }
}
