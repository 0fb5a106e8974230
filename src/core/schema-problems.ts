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

/** Every key path of the schema (`theme.colors.text`), to suggest the right place for a key put at the wrong level. */
function allKeyPaths(schema: z.ZodType): string[][] {
  const paths: string[][] = [];
  const stack: { node: unknown; path: string[] }[] = [{ node: schema, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    const shape = (unwrap(node) as { shape?: Record<string, unknown> }).shape;
    if (!shape || path.length > 8) continue;
    for (const [key, child] of Object.entries(shape)) {
      paths.push([...path, key]);
      stack.push({ node: child, path: [...path, key] });
    }
  }
  return paths;
}

/** A close key beside the unknown one, else a close key elsewhere in the schema (`colour` → `theme.colors`). */
function suggestKey(schema: z.ZodType, path: readonly PropertyKey[], key: string): string | undefined {
  const sibling = didYouMean(key, knownKeysAt(schema, path));
  if (sibling) return [...path, sibling].join('.');
  const elsewhere = allKeyPaths(schema).filter((p) => p.length !== path.length + 1 || p.slice(0, -1).join('.') !== path.join('.'));
  // For a leaf name found at several places, suggest the shallowest: `width` → `theme.width`, not `theme.logo.width`.
  const byLeaf = new Map<string, string>();
  for (const p of elsewhere.sort((a, b) => a.length - b.length)) if (!byLeaf.has(p.at(-1)!)) byLeaf.set(p.at(-1)!, p.join('.'));
  const leaf = didYouMean(key, [...byLeaf.keys()]);
  return leaf === undefined ? undefined : byLeaf.get(leaf);
}

/** Zod's type names in a writer's words. */
const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys to values',
};

function unwrap(node: unknown): unknown {
  let current = node as { unwrap?: () => unknown; def?: { innerType?: unknown; type?: string; in?: unknown } };
  for (let i = 0; i < 5 && current; i++) {
    // A transformed object (`automations:`) is a pipe: its keys are those of what goes in.
    const inner = current.def?.innerType ?? (current.def?.type === 'pipe' ? current.def.in : undefined);
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
        const suggestion = suggestKey(schema, path, key);
        const field = [...path, key].join('.');
        problems.push({
          field,
          line: yaml.lineOf([...path, key], fallbackLine),
          message: `unknown key "${field}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
          unknownKey: true,
        });
      }
      continue;
    }
    const field = path.join('.');
    const value = valueAt(input, path);
    const name = field === '' ? 'the file' : `"${field}"`;
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      const expected = issue.message.startsWith('Invalid input: expected ')
        ? (TYPE_WORDS[issue.expected] ?? issue.expected)
        : issue.message;
      message = value === undefined ? `${name} is required` : `${name} must be ${expected}, not ${describeType(value)}`;
    } else if ((issue.code === 'too_big' || issue.code === 'too_small') && issue.origin === 'number') {
      const limit = issue.code === 'too_big' ? issue.maximum : issue.minimum;
      const bound = issue.code === 'too_big' ? 'at most' : 'at least';
      message = issue.inclusive ? `${name} must be ${bound} ${limit}` : `${name} must be ${issue.code === 'too_big' ? 'below' : 'above'} ${limit}`;
      if (typeof value === 'number') message += `, not ${value}`;
    } else if (!message.startsWith(name)) {
      message = `${name} ${message}`;
    }
    problems.push({ field, line: yaml.lineOf(path, fallbackLine), message, unknownKey: false });
  }
  return problems;
}
