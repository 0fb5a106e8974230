import { parseYamlDocument, type YamlDocument } from '../core/yaml-document.ts';

export type SplitResult =
  | { ok: true; yaml: YamlDocument; body: string; bodyLine: number }
  | { ok: false; line: number; message: string };

const OPEN = /^---[ \t]*$/;
const CLOSE = /^---[ \t]*$/m;

/**
 * Splits an issue file into its YAML front matter and its Markdown body. Text must already have LF line endings.
 * Rejects a non-YAML opening (`---js`), a missing opening and a missing closing `---`. Split by hand, not by
 * gray-matter: it would parse the YAML a second time without positions, it runs `---js` front matter as code unless
 * every engine is replaced, and it accepts an unterminated block as an empty body; nothing it did was kept.
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
  // A line that merely starts with "---" before the closing one is a typo for it (or a `---js` opening pasted in).
  // An opening with spaces or tabs after it is refused the same way, as it was while gray-matter split the file.
  const stray = yamlText.split('\n').findIndex((l) => l.startsWith('---'));
  if (stray !== -1 || firstLine !== '---') {
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
