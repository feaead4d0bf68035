// Route schemas from zod: the JSON Schema (OpenAPI 3.0 dialect) goes into the route for
// the OpenAPI document, and validation runs the zod schema itself, so an input is judged
// exactly as the provisioning file is and every refusal names the field and why.
import { z } from 'zod';
import { fieldProblem, type EntityProblem } from '../entities/entity-error.js';

const registry = new WeakMap<object, z.ZodType>();

export function routeSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  registry.set(json, schema);
  return json;
}

export class InputProblems extends Error {
  readonly status = 400;
  constructor(readonly problems: EntityProblem[], readonly part: string) {
    super(problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; '));
  }
}

/** fastify validatorCompiler: the zod schema registered for this JSON Schema. */
export function zodValidatorCompiler({ schema, httpPart }: { schema: unknown; httpPart?: string }) {
  const zod = registry.get(schema as object);
  return (data: unknown): { value?: unknown; error?: Error } => {
    if (!zod) return { value: data };
    const parsed = zod.safeParse(data);
    if (parsed.success) return { value: parsed.data };
    const problems = parsed.error.issues.map((issue) =>
      fieldProblem(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol'), describeIssue(issue)));
    return { error: new InputProblems(problems, httpPart ?? 'body') };
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return issue.message;
}
