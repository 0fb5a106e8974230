import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/** Aliases allowed before a document counts as an alias ("billion laughs") bomb. */
const MAX_ALIASES = 100;

export interface YamlProblem {
  line: number;
  message: string;
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
  const problems: YamlProblem[] = doc.errors.map((e) => ({
    line: toLine(e.pos[0]),
    message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
  }));
  let value: unknown = null;
  if (problems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (error) {
      problems.push({ line: firstLine, message: (error as Error).message });
    }
  }

  function lineOf(path: readonly PropertyKey[], fallback: number): number {
    let node: unknown = doc.contents;
    let line = fallback;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
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
