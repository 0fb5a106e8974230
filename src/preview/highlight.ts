/**
 * Syntax highlighting for the preview's HTML, MJML, text and source tabs, done on the server with highlight.js's
 * core and only the languages those tabs need. The output is highlight.js's: the code escaped, with
 * `<span class="hljs-…">` around tokens, which the page's CSP allows (classes, no inline style).
 */
import hljs from 'highlight.js/lib/core';
import markdown from 'highlight.js/lib/languages/markdown';
import plaintext from 'highlight.js/lib/languages/plaintext';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

// A private instance: registering languages never touches a shared highlight.js someone else may hold.
const highlighter = hljs.newInstance();
highlighter.registerLanguage('xml', xml);
highlighter.registerLanguage('markdown', markdown);
highlighter.registerLanguage('plaintext', plaintext);
highlighter.registerLanguage('yaml', yaml);

/** What each tab shows: HTML and MJML are both XML to highlight.js; the text part is plain. */
export type CodeLanguage = 'xml' | 'markdown' | 'plaintext' | 'yaml';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** `code` as escaped, highlighted HTML; a language not registered falls back to escaped plain text. */
export function highlight(code: string, language: string): string {
  if (!highlighter.getLanguage(language)) return escape(code);
  return highlighter.highlight(code, { language, ignoreIllegals: true }).value;
}

/**
 * Highlighted HTML split into lines, each with its spans balanced: a span open at a line's end is closed there
 * and reopened on the next line, so every line can stand in an element of its own (the source tab's `<li id="L…">`).
 */
export function splitLines(highlighted: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let line = '';
  for (const part of highlighted.split(/(<span [^>]*>|<\/span>|\n)/)) {
    if (part === '\n') {
      lines.push(line + '</span>'.repeat(open.length));
      line = open.join('');
    } else if (part.startsWith('<span ')) {
      open.push(part);
      line += part;
    } else if (part === '</span>') {
      open.pop();
      line += part;
    } else {
      line += part;
    }
  }
  lines.push(line);
  return lines;
}

/** Front matter: `---` on the first line up to the next line that is only `---`. */
const FRONT_MATTER = /^(---\r?\n[\s\S]*?\r?\n---)(?=\r?\n|$)/;

/**
 * An issue's Markdown source, one highlighted line per source line: the front matter as YAML (its fences as
 * they are), the rest as Markdown. Highlighted in two parts, so a Markdown construct never swallows the YAML.
 */
export function highlightSourceLines(source: string): string[] {
  const match = FRONT_MATTER.exec(source);
  if (!match) return splitLines(highlight(source, 'markdown'));
  const front = match[1]!;
  const inner = front.replace(/^---\r?\n/, '').replace(/\r?\n---$/, '');
  const rest = source.slice(front.length).replace(/^\r?\n/, '');
  const restLines = source.length > front.length ? splitLines(highlight(rest, 'markdown')) : [];
  return ['<span class="hljs-meta">---</span>', ...splitLines(highlight(inner, 'yaml')), '<span class="hljs-meta">---</span>', ...restLines];
}
