// Maps a field path (["trunks", 1, "allow", 0]) to the line and column of the YAML node
// that holds it, so every config problem can name the exact place an operator must edit.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type FieldPath = ReadonlyArray<string | number>;

export interface SourcePosition {
  line: number;
  column: number;
}

/** "trunks[1].allow[0]"; the whole document is "(root)". */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text === '' ? '(root)' : text;
}

function childOf(node: unknown, segment: string | number): { key?: Node; value?: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
    if (!pair) return undefined;
    return { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { value: item as Node };
  }
  return undefined;
}

/**
 * Position of the node at `path`. When the path runs past what the file contains (a
 * missing key, a default value) it points at the deepest node that exists, i.e. the
 * parent the key belongs in. With `atKey`, a map entry points at its key, not its value.
 */
export function positionOfPath(doc: Document, lineCounter: LineCounter, path: FieldPath, atKey = false): SourcePosition {
  let node: unknown = doc.contents;
  let target: Node | undefined = (doc.contents ?? undefined) as Node | undefined;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index] as string | number;
    const child = childOf(node, segment);
    if (!child) break;
    const last = index === path.length - 1;
    target = (last && atKey && child.key) ? child.key : (child.value ?? child.key ?? target);
    node = child.value;
  }
  const offset = target?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line: Math.max(line, 1), column: Math.max(col, 1) };
}
