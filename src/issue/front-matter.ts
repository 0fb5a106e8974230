import matter from 'gray-matter';
import { parseYamlDocument, type YamlDocument } from '../core/yaml-document.ts';

export type SplitResult =
  | { ok: true; yaml: YamlDocument; body: string; bodyLine: number }
  | { ok: false; line: number; message: string };

const refuse = (language: string) => () => {
  throw new Error(`front matter must be YAML, not "${language}"`);
};

/**
 * gray-matter evaluates `---js` / `---javascript` front matter as code, and removing the `js` engine alone is not
 * enough: its engine lookup falls back to `javascript`. Every engine but YAML is replaced by one that throws, and the
 * opening line is checked before gray-matter sees the text.
 */
const engines = {
  yaml: { parse: () => ({}) },
  yml: { parse: () => ({}) },
  json: { parse: refuse('json') },
  js: { parse: refuse('js') },
  javascript: { parse: refuse('javascript') },
  coffee: { parse: refuse('coffee') },
  coffeescript: { parse: refuse('coffeescript') },
  cson: { parse: refuse('cson') },
  toml: { parse: refuse('toml') },
};

const OPEN = /^---[ \t]*$/;
const CLOSE = /^---[ \t]*$/m;

/**
 * Splits an issue file into its YAML front matter and its Markdown body. Text must already have LF line endings.
 * Rejects a non-YAML opening (`---js`), a missing opening and a missing closing `---`, which gray-matter alone would
 * turn into an email with an empty body.
 */
export function splitFrontMatter(text: string): SplitResult {
  const firstLineEnd = text.indexOf('\n');
  const firstLine = firstLineEnd === -1 ? text : text.slice(0, firstLineEnd);
  if (!firstLine.startsWith('---')) {
    return { ok: false, line: 1, message: 'missing front matter: the file must start with a line "---"' };
  }
  if (!OPEN.test(firstLine)) {
    const language = firstLine.slice(3).trim();
    return {
      ok: false,
      line: 1,
      message: `front matter must be YAML; "---${language}" front matter is never run (start the file with a plain "---")`,
    };
  }
  const rest = firstLineEnd === -1 ? '' : text.slice(firstLineEnd + 1);
  const close = CLOSE.exec(rest);
  if (!close) {
    return { ok: false, line: 1, message: 'unterminated front matter: no closing "---" line after the opening one' };
  }
  const yamlText = rest.slice(0, close.index);
  const yamlLines = yamlText.split('\n').length;
  // gray-matter splits (its options object also keeps it out of its shared cache); it closes at the first line that
  // merely starts with "---", so a disagreement means such a line sits inside the front matter.
  const file = matter(text, { language: 'yaml', engines });
  if (`${file.matter}\n` !== `\n${yamlText}`) {
    const stray = yamlText.split('\n').findIndex((l) => l.startsWith('---'));
    return {
      ok: false,
      line: stray === -1 ? 1 : stray + 2,
      message: 'a line starting with "---" inside the front matter; it must end with a line of exactly "---"',
    };
  }
  const afterClose = rest.indexOf('\n', close.index);
  const body = afterClose === -1 ? '' : rest.slice(afterClose + 1);
  return { ok: true, yaml: parseYamlDocument(yamlText, 2), body, bodyLine: yamlLines + 2 };
}
