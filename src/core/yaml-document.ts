import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/** Aliases allowed before a document counts as an alias ("billion laughs") bomb. */
const MAX_ALIASES = 100;

export interface YamlProblem {
  line: number;
  message: string;
  /** Dotted key path, for a problem that concerns one key (a duplicate). */
  field?: string;
  /**
   * True when the document could not be read at all. A duplicate key is not fatal: the value (last one wins) is still
   * validated, so a writer sees every problem of the file at once.
   */
  fatal: boolean;
}

export interface YamlDocument {
  value: unknown;
  problems: YamlProblem[];
  /** Line of the key (or list item) at `path`, or of its nearest ancestor found; `fallback` when none. */
  lineOf(path: readonly PropertyKey[], fallback: number): number;
}

/**
 * Parses YAML 1.2 (core schema: dates stay strings, no merge keys, no custom tags) and keeps node positions so that
 * every problem can name its line. `firstLine` is the file line on which `text` starts.
 */
export function parseYamlDocument(text: string, firstLine = 1): YamlDocument {
  const counter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: counter,
    schema: 'core',
    merge: false,
    uniqueKeys: true,
    prettyErrors: false,
    customTags: [],
    resolveKnownTags: false,
  });
  const toLine = (offset: number) => counter.linePos(offset).line + firstLine - 1;
  const duplicates = doc.errors.some((e) => e.code === 'DUPLICATE_KEY') ? duplicateKeys(doc.contents) : new Map();
  const problems: YamlProblem[] = doc.errors.map((e) => {
    const line = toLine(e.pos[0]);
    const duplicate = e.code === 'DUPLICATE_KEY' ? duplicates.get(e.pos[0]) : undefined;
    if (duplicate) {
      return {
        line,
        message: `duplicate key "${duplicate.field}" (first set on line ${toLine(duplicate.firstOffset)})`,
        field: duplicate.field,
        fatal: false,
      };
    }
    return { line, message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), fatal: true };
  });
  let value: unknown = null;
  if (!problems.some((p) => p.fatal)) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (error) {
      problems.push({ line: firstLine, message: (error as Error).message, fatal: true });
    }
  }

  function lineOf(path: readonly PropertyKey[], fallback: number): number {
    let node: unknown = doc.contents;
    let line = fallback;
    for (const segment of path) {
      if (isMap(node)) {
        // The last pair: with a duplicate key, the last value is the one kept.
        const pair = node.items.findLast((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        const keyNode = pair.key as Node;
        if (keyNode.range) line = toLine(keyNode.range[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item) break;
        if (item.range) line = toLine(item.range[0]);
        node = item;
      } else break;
    }
    return line;
  }

  return { value, problems, lineOf };
}

/** Offset of each repeated key node → its dotted path and the offset of the first occurrence. Iterative: no depth limit. */
function duplicateKeys(root: unknown): Map<number, { field: string; firstOffset: number }> {
  const found = new Map<number, { field: string; firstOffset: number }>();
  const stack: { node: unknown; path: string[] }[] = [{ node: root, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) continue;
        const key = String(pair.key.value);
        const first = seen.get(key);
        if (first === undefined) seen.set(key, pair.key.range[0]);
        else found.set(pair.key.range[0], { field: [...path, key].join('.'), firstOffset: first });
        stack.push({ node: pair.value, path: [...path, key] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: [...path, String(i)] }));
    }
  }
  return found;
}
