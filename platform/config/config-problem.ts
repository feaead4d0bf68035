// What a configuration check reports: one entry per problem, with the file, the line and
// column of the offending YAML node, and the field path in the POP file's own terms.

export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Field path such as trunks[1].allow[0]; "(root)" for the whole file. */
  path: string;
  message: string;
}

export function formatConfigProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.path}: ${problem.message}`;
}

/** Thrown by loadPopConfig when a POP file has problems; the message lists all of them. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const first = problems[0];
    const heading = first
      ? `${problems.length} problem${problems.length === 1 ? '' : 's'} in POP configuration ${first.file}`
      : 'POP configuration problem';
    super([heading, ...problems.map((problem) => `  ${formatConfigProblem(problem)}`)].join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
