// "did you mean ...?" for unknown keys, from the keys the JSON Schema allows at that place.
import { popJsonSchema } from './pop-json-schema.js';
import type { FieldPath } from './yaml-positions.js';

export interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}

let schemaRoot: SchemaNode | undefined;

/** Keys allowed in the POP file's object at `objectPath` (e.g. ["trunks", 0]), or [] if unknown. */
export function allowedKeysAt(objectPath: FieldPath): string[] {
  schemaRoot ??= popJsonSchema() as SchemaNode;
  return allowedKeysIn(schemaRoot, objectPath);
}

/** Keys allowed at `objectPath` of any JSON Schema (records' entries step through additionalProperties). */
export function allowedKeysIn(root: SchemaNode, objectPath: FieldPath): string[] {
  let node: SchemaNode | undefined = root;
  for (const segment of objectPath) {
    if (typeof segment === 'string' && !node?.properties?.[segment] && typeof node?.additionalProperties === 'object') {
      node = node.additionalProperties;
      continue;
    }
    node = typeof segment === 'number' ? node?.items : node?.properties?.[segment];
  }
  return Object.keys(node?.properties ?? {});
}

/** A hint for an unknown key: the closest allowed key when it is a likely typo, else the list. */
export function unknownKeyHint(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return '';
  const ranked = allowed
    .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  if (best && best.distance <= Math.max(2, Math.floor(key.length / 4))) return `did you mean "${best.candidate}"?`;
  return `allowed here: ${allowed.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
