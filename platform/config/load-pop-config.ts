// Reads a POP file, validates it (YAML syntax, shape, cross-field consistency, files on
// disk) and reports every problem at the line and column of the node to fix.
//
// Relative paths in a POP file resolve against the directory that holds the file, never
// against the working directory, so `vpop up --pop configs/pops/local.yaml` means the
// same thing wherever it is started from.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-problem.js';
import { popConfigSchema, type PopConfig } from './pop-schema.js';
import { popConsistencyProblems, type PathProblem } from './pop-consistency.js';
import { popsFormPair, redundantPairProblems } from './redundant-pair.js';
import { popFileProblems } from './pop-files.js';
import { allowedKeysAt, unknownKeyHint } from './key-suggestion.js';
import { formatFieldPath, positionOfPath, type FieldPath } from './yaml-positions.js';

export { ConfigError, type ConfigProblem } from './config-problem.js';
export type { PopConfig } from './pop-schema.js';

export interface PopCheckOptions {
  /** Check the files the POP refers to (certificates, keys, CA/chain, secrets, passwords). Default true. */
  checkFiles?: boolean;
  /**
   * Look up paths written as absolute (/etc/vpop/...) under this directory instead of /,
   * e.g. a staged image or an Ansible build tree. Relative paths still resolve against
   * the POP file's directory.
   */
  root?: string;
  /** The time certificates must be valid at; default now. */
  now?: Date;
}

export interface PopInspection {
  problems: ConfigProblem[];
  /** Present when the file parsed and passed the shape checks; check problems before using it. */
  config?: PopConfig;
  /** Turns a problem found by path (e.g. by a check across files) into one with this file's line. */
  locate?: (problem: PathProblem) => ConfigProblem;
}

export interface PopFileReport extends PopInspection {
  file: string;
}

/**
 * Checks several POP files: each on its own, then every redundant pair among them (both
 * name each other, roles differ, peer addresses are right, same trunks). One report per file.
 */
export function checkPopFiles(files: readonly string[], options: PopCheckOptions = {}): PopFileReport[] {
  const reports = files.map((file) => ({ file, ...inspectPopFile(file, options) }));
  for (let second = 0; second < reports.length; second++) {
    for (let first = 0; first < second; first++) {
      const a = reports[first] as PopFileReport;
      const b = reports[second] as PopFileReport;
      if (!a.config || !b.config || !a.locate || !b.locate || !popsFormPair(a.config, b.config)) continue;
      const pair = redundantPairProblems(a.config, b.config);
      a.problems = sortProblems([...a.problems, ...pair.first.map(a.locate)]);
      b.problems = sortProblems([...b.problems, ...pair.second.map(b.locate)]);
    }
  }
  return reports;
}

/** Every problem in a POP file, sorted by position; empty when the file is valid. */
export function checkPopFile(file: string, options: PopCheckOptions = {}): ConfigProblem[] {
  return inspectPopFile(file, options).problems;
}

/** A validated, frozen POP configuration with every path made absolute. Throws ConfigError. */
export function loadPopConfig(file: string, options: PopCheckOptions = {}): PopConfig {
  const { problems, config } = inspectPopFile(file, options);
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** Problems and, when there are none, the loaded (not frozen) config. */
export function inspectPopFile(file: string, options: PopCheckOptions = {}): PopInspection {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return { problems: [{ file, line: 1, column: 1, path: '(root)', message: `cannot read the POP file (${reason})` }] };
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxProblems = [...doc.errors, ...doc.warnings].map((error): ConfigProblem => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { file, line, column: col, path: '(yaml)', message: `YAML: ${firstLine(error.message)}` };
  });
  if (syntaxProblems.length > 0) return { problems: sortProblems(syntaxProblems) };

  const at = (path: FieldPath, message: string, atKey = false): ConfigProblem => ({
    file,
    ...positionOfPath(doc, lineCounter, path, atKey),
    path: formatFieldPath(path),
    message,
  });

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { problems: [at([], `YAML: ${firstLine((error as Error).message)}`)] };
  }

  const parsed = popConfigSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    return { problems: sortProblems(parsed.error.issues.flatMap((issue) => problemsOfIssue(issue, at))) };
  }

  const baseDir = dirname(resolve(file));
  const config = resolvePopPaths(parsed.data, baseDir);
  const semantic: PathProblem[] = [...popConsistencyProblems(config)];
  if (options.checkFiles ?? true) semantic.push(...popFileProblems(parsed.data, config, { root: options.root, now: options.now }));
  const locate = (problem: PathProblem): ConfigProblem => at(problem.path, problem.message, problem.atKey);
  return { problems: sortProblems(semantic.map(locate)), config, locate };
}

function problemsOfIssue(
  issue: z.core.$ZodIssue,
  at: (path: FieldPath, message: string, atKey?: boolean) => ConfigProblem,
): ConfigProblem[] {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const hint = unknownKeyHint(key, allowedKeysAt(path));
        return at([...path, key], `unknown key "${key}"${hint ? `; ${hint}` : ''}`, true);
      });
    case 'invalid_type':
      if (issue.input === undefined) {
        return [at(path, `required field "${String(path.at(-1) ?? '')}" is missing (expected ${issue.expected})`)];
      }
      return [at(path, `expected ${issue.expected}, got ${describeValue(issue.input)}`)];
    case 'invalid_value':
      return [at(path, `${describeValue(issue.input)} is not one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`)];
    case 'too_small':
      if (issue.origin === 'array') return [at(path, `needs at least ${String(issue.minimum)} ${issue.minimum === 1 ? 'entry' : 'entries'}`)];
      if (issue.origin === 'number') return [at(path, `must be at least ${String(issue.minimum)}, got ${String(issue.input)}`)];
      return [at(path, issue.message)];
    case 'too_big':
      if (issue.origin === 'number') return [at(path, `must be at most ${String(issue.maximum)}, got ${String(issue.input)}`)];
      return [at(path, issue.message)];
    default:
      return [at(path, issue.message)];
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  return `${typeof value} ${String(value)}`;
}

/** The same config with every path field made absolute against the POP file's directory. */
export function resolvePopPaths(config: PopConfig, baseDir: string): PopConfig {
  const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));
  const optional = (path: string | undefined): string | undefined => (path === undefined ? undefined : absolute(path));
  return {
    ...config,
    stateDir: absolute(config.stateDir),
    tls: config.tls && {
      ...config.tls,
      certFile: absolute(config.tls.certFile),
      keyFile: absolute(config.tls.keyFile),
      caFile: optional(config.tls.caFile),
      chainFile: optional(config.tls.chainFile),
    },
    engine: { ...config.engine, secretFile: optional(config.engine.secretFile) },
    phones: config.phones && {
      ...config.phones,
      credentials: config.phones.credentials?.map((credential) => ({
        ...credential,
        passwordFile: optional(credential.passwordFile),
      })),
    },
    rtpengine: {
      ...config.rtpengine,
      recordingDir: absolute(config.rtpengine.recordingDir),
      binary: absolute(config.rtpengine.binary),
    },
  };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
