// Reads a core file and reports every problem as file:line:column: field: message, with
// the POP files' machinery: shape, then ids, references and flow wiring across the file.
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from '../../platform/config/config-problem.js';
import type { SchemaNode } from '../../platform/config/key-suggestion.js';
import { inspectYamlFile, sortProblems } from '../../platform/config/yaml-schema-file.js';
import type { FieldPath } from '../../platform/config/yaml-positions.js';
import { entityKinds, kindLabel, referencesOf, type AnyEntity } from '../entities/entity-kinds.js';
import { flowProblems } from '../flows/flow-validation.js';
import { coreFileSchema, coreJsonSchema, type CoreFile } from './core-file-schema.js';

export { ConfigError } from '../../platform/config/config-problem.js';

let jsonSchema: SchemaNode | undefined;

export function inspectCoreFile(file: string): { problems: ConfigProblem[]; config?: CoreFile } {
  const inspection = inspectYamlFile(file, coreFileSchema, { what: 'core file', jsonSchema: () => (jsonSchema ??= coreJsonSchema() as SchemaNode) });
  const { data, at } = inspection;
  if (!data || !at) return { problems: inspection.problems };
  const problems = coreFileProblems(data).map((problem) => at(problem.path, problem.message, problem.atKey));
  const config: CoreFile = {
    ...data,
    core: { ...data.core, database: resolveAgainst(file, data.core.database), auth: { ...data.core.auth, tokenSecretFile: data.core.auth.tokenSecretFile && resolveAgainst(file, data.core.auth.tokenSecretFile) } },
  };
  return { problems: sortProblems(problems), config };
}

/** A validated core file. Throws ConfigError listing every problem. */
export function loadCoreFile(file: string): CoreFile {
  const { problems, config } = inspectCoreFile(file);
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return config;
}

function resolveAgainst(file: string, path: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : resolve(dirname(resolve(file)), path);
}

/** Duplicate ids, references to entities the file does not define, flows that do not wire up. */
function coreFileProblems(config: CoreFile): Array<{ path: FieldPath; message: string; atKey?: boolean }> {
  const problems: Array<{ path: FieldPath; message: string }> = [];
  const ids = new Map<string, Set<string>>();
  for (const kind of entityKinds) {
    const seen = new Set<string>();
    (config[kind] as AnyEntity[]).forEach((entity, index) => {
      if (seen.has(entity.id)) problems.push({ path: [kind, index, 'id'], message: `${kindLabel(kind)} id "${entity.id}" is defined twice` });
      seen.add(entity.id);
    });
    ids.set(kind, seen);
  }
  for (const kind of entityKinds) {
    (config[kind] as AnyEntity[]).forEach((entity, index) => {
      for (const ref of referencesOf(kind, entity)) {
        if (!ids.get(ref.kind)?.has(ref.id)) problems.push({ path: [kind, index, ...ref.field], message: `no ${kindLabel(ref.kind)} "${ref.id}" in this file` });
      }
    });
  }
  config.flows.forEach((flow, index) => {
    for (const problem of flowProblems(flow)) problems.push({ path: ['flows', index, ...problem.path], message: problem.message });
  });
  const numbers = new Map<string, number>();
  config.entryPoints.forEach((entryPoint, index) => {
    const first = numbers.get(entryPoint.number);
    if (first !== undefined) problems.push({ path: ['entryPoints', index, 'number'], message: `number ${entryPoint.number} is already entryPoints[${first}]'s` });
    else numbers.set(entryPoint.number, index);
  });
  const logins = new Set<string>();
  config.users.forEach((user, index) => {
    if (logins.has(user.login)) problems.push({ path: ['users', index, 'login'], message: `login "${user.login}" is used twice` });
    logins.add(user.login);
  });
  return problems;
}
