// Reads a YAML file and checks it against a zod schema, reporting every problem at the
// line and column of the node to fix. Shared by POP files and routing-core provisioning
// files so both speak the same file:line:column: field: message language.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { ConfigProblem } from './config-problem.js';
import { allowedKeysIn, unknownKeyHint, type SchemaNode } from './key-suggestion.js';
import { formatFieldPath, positionOfPath, type FieldPath } from './yaml-positions.js';

export type LocateProblem = (path: FieldPath, message: string, atKey?: boolean) => ConfigProblem;

export interface YamlFileInspection<T> {
  problems: ConfigProblem[];
  /** The schema's output, present when the file parsed and passed the shape checks. */
  data?: T;
  /** Points a problem found later (cross-field checks) at its line in this file. */
  at?: LocateProblem;
}

/**
 * `what` names the file in messages ("POP file"); `jsonSchema` is the schema's JSON Schema,
 * used to suggest the key an unknown one was probably meant to be.
 */
export function inspectYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  options: { what: string; jsonSchema: () => SchemaNode },
): YamlFileInspection<z.output<S>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return { problems: [{ file, line: 1, column: 1, path: '(root)', message: `cannot read the ${options.what} (${reason})` }] };
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxProblems = [...doc.errors, ...doc.warnings].map((error): ConfigProblem => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { file, line, column: col, path: '(yaml)', message: `YAML: ${firstLine(error.message)}` };
  });
  if (syntaxProblems.length > 0) return { problems: sortProblems(syntaxProblems) };

  const at: LocateProblem = (path, message, atKey = false) => ({
    file,
    ...positionOfPath(doc, lineCounter, path, atKey),
    path: formatFieldPath(path),
    message,
  });

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { problems: [at([], `YAML: ${firstLine((error as Error).message)}`)], at };
  }

  const parsed = schema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const allowedKeysAt = (path: FieldPath): string[] => allowedKeysIn(options.jsonSchema(), path);
    return { problems: sortProblems(parsed.error.issues.flatMap((issue) => problemsOfIssue(issue, at, allowedKeysAt))), at };
  }
  return { problems: [], data: parsed.data as z.output<S>, at };
}

/** One zod issue in an operator's words, at its place in the file. */
function problemsOfIssue(
  issue: z.core.$ZodIssue,
  at: LocateProblem,
  allowedKeysAt: (path: FieldPath) => string[],
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

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

export function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));
}
