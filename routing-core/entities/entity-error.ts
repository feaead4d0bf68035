// A refused entity change, with what the API answers: the status, the field and why.
import type { FieldPath } from '../../platform/config/yaml-positions.js';
import { formatFieldPath } from '../../platform/config/yaml-positions.js';

export interface EntityProblem {
  field: string;
  reason: string;
}

export class EntityError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly problems: readonly EntityProblem[],
    /** For 409 on delete: who uses the entity. */
    readonly usedBy: ReadonlyArray<{ kind: string; id: string; field: string }> = [],
  ) {
    super(problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; '));
    this.name = 'EntityError';
  }
}

export function fieldProblem(path: FieldPath, reason: string): EntityProblem {
  return { field: formatFieldPath(path), reason };
}
