// The field reference of docs/pop-config.md, generated from the JSON Schema so that the
// descriptions written once in pop-schema.ts are what operators read.
import { popJsonSchema } from './pop-json-schema.js';

interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  examples?: unknown[];
}

interface Row {
  field: string;
  type: string;
  required: boolean;
  defaultValue: string;
  description: string;
}

export const referenceBegin = '<!-- BEGIN GENERATED: POP field reference (platform/config/write-generated-files.ts) -->';
export const referenceEnd = '<!-- END GENERATED: POP field reference -->';

/** Markdown tables, one per top-level section, between the BEGIN/END markers. */
export function popFieldReference(): string {
  const root = popJsonSchema() as SchemaNode;
  const lines: string[] = [referenceBegin, ''];
  for (const [name, node] of Object.entries(root.properties ?? {})) {
    const required = (root.required ?? []).includes(name);
    lines.push(`### \`${name}\`${required ? '' : ' (optional)'}`, '', escapeCell(node.description ?? ''), '');
    const rows: Row[] = [];
    collectRows(node, name, rows);
    if (rows.length > 0) {
      lines.push('| Field | Type | Required | Default | Description |', '|---|---|---|---|---|');
      for (const row of rows) {
        lines.push(`| \`${row.field}\` | ${row.type} | ${row.required ? 'yes' : 'no'} | ${row.defaultValue} | ${escapeCell(row.description)} |`);
      }
      lines.push('');
    }
  }
  lines.push(referenceEnd);
  return `${lines.join('\n')}\n`;
}

function collectRows(node: SchemaNode, path: string, rows: Row[]): void {
  const container = node.type === 'array' ? node.items : node;
  const prefix = node.type === 'array' ? `${path}[]` : path;
  if (!container?.properties) {
    return;
  }
  for (const [name, child] of Object.entries(container.properties)) {
    const field = `${prefix}.${name}`;
    rows.push({
      field,
      type: typeText(child),
      required: (container.required ?? []).includes(name),
      defaultValue: child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``,
      description: child.description ?? '',
    });
    collectRows(child, field, rows);
  }
}

function typeText(node: SchemaNode): string {
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  if (node.type === 'array') return `list of ${node.items ? typeText(node.items) : 'any'}${node.minItems ? ` (at least ${node.minItems})` : ''}`;
  if (node.type === 'integer' && node.minimum !== undefined && node.maximum !== undefined && node.maximum < 1e9) {
    return `integer ${node.minimum}..${node.maximum}`;
  }
  if (node.type === 'integer' && node.minimum !== undefined) return `integer ≥ ${node.minimum}`;
  if (Array.isArray(node.type)) return node.type.join(' or ');
  return node.type ?? 'any';
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `document` with its generated section replaced by `reference`; throws when the markers are missing. */
export function replaceFieldReference(document: string, reference: string): string {
  const begin = document.indexOf(referenceBegin);
  const end = document.indexOf(referenceEnd);
  if (begin < 0 || end < begin) throw new Error('docs/pop-config.md lacks the generated-reference markers');
  return document.slice(0, begin) + reference + document.slice(end + referenceEnd.length + 1);
}
