import type { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';
import type { YamlDocument } from './yaml-document.ts';

export interface SchemaProblem {
  /** Dotted key path, e.g. `image.alt`; empty for the whole document. */
  field: string;
  line: number;
  message: string;
  unknownKey: boolean;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Object.hasOwn(node, key) ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return node;
}

/** Known keys of the object schema at `path`, to suggest a correction for a misspelt key. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const key of path) {
    node = unwrap(node);
    const shape = (node as { shape?: Record<string, unknown> }).shape;
    if (!shape || typeof key !== 'string' || !(key in shape)) return [];
    node = shape[key];
  }
  const shape = (unwrap(node) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(node: unknown): unknown {
  let current = node as { unwrap?: () => unknown; def?: { innerType?: unknown } };
  for (let i = 0; i < 5 && current; i++) {
    const inner = current.def?.innerType;
    if (!inner) break;
    current = inner as typeof current;
  }
  return current;
}

/**
 * Turns zod's issues into one readable problem each, naming the field and its line in the YAML. Every problem is
 * reported, not only the first, so a writer fixes a file in one pass.
 */
export function schemaProblems(
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  yaml: YamlDocument,
  fallbackLine: number,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = didYouMean(key, knownKeysAt(schema, path));
        const field = [...path, key].join('.');
        problems.push({
          field,
          line: yaml.lineOf([...path, key], fallbackLine),
          message: `unknown key "${field}"${suggestion ? ` (did you mean "${[...path, suggestion].join('.')}"?)` : ''}`,
          unknownKey: true,
        });
      }
      continue;
    }
    const field = path.join('.');
    const value = valueAt(input, path);
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      message =
        value === undefined
          ? `"${field}" is required`
          : `"${field}" must be ${issue.message.replace(/^Invalid input: expected /, '').replace(/, received .*$/, '')}, not ${describeType(value)}`;
    } else if (!message.startsWith(`"${field}"`)) {
      message = `"${field}" ${message}`;
    }
    problems.push({ field, line: yaml.lineOf(path, fallbackLine), message, unknownKey: false });
  }
  return problems;
}
