// Reads a POP file, validates it (YAML syntax, shape, cross-field consistency, files on
// disk) and reports every problem at the line and column of the node to fix.
//
// Relative paths in a POP file resolve against the directory that holds the file, never
// against the working directory, so `vpop up --pop configs/pops/local.yaml` means the
// same thing wherever it is started from.
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from './config-problem.js';
import { popConfigSchema, type PopConfig } from './pop-schema.js';
import { popConsistencyProblems, type PathProblem } from './pop-consistency.js';
import { popsFormPair, redundantPairProblems } from './redundant-pair.js';
import { popFileProblems } from './pop-files.js';
import type { SchemaNode } from './key-suggestion.js';
import { popJsonSchema } from './pop-json-schema.js';
import { inspectYamlFile, sortProblems } from './yaml-schema-file.js';

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
  const inspection = inspectYamlFile(file, popConfigSchema, { what: 'POP file', jsonSchema: () => popJsonSchema() as SchemaNode });
  const { at } = inspection;
  if (!inspection.data || !at) return { problems: inspection.problems };
  const parsed = { data: inspection.data };

  const baseDir = dirname(resolve(file));
  const config = resolvePopPaths(parsed.data, baseDir);
  const semantic: PathProblem[] = [...popConsistencyProblems(config)];
  if (options.checkFiles ?? true) semantic.push(...popFileProblems(parsed.data, config, { root: options.root, now: options.now }));
  const locate = (problem: PathProblem): ConfigProblem => at(problem.path, problem.message, problem.atKey);
  return { problems: sortProblems(semantic.map(locate)), config, locate };
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
    ops: { ...config.ops, tokenFile: optional(config.ops.tokenFile) },
    routingCore: {
      ...config.routingCore,
      caFile: optional(config.routingCore.caFile),
      certFile: optional(config.routingCore.certFile),
      keyFile: optional(config.routingCore.keyFile),
    },
    phones: config.phones && {
      ...config.phones,
      credentials: config.phones.credentials?.map((credential) => ({
        ...credential,
        passwordFile: optional(credential.passwordFile),
      })),
    },
    recordings: config.recordings && { ...config.recordings, masterKeyFile: absolute(config.recordings.masterKeyFile) },
    rtpengine: {
      ...config.rtpengine,
      recordingDir: absolute(config.rtpengine.recordingDir),
      binary: absolute(config.rtpengine.binary),
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
