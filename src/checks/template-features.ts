import { LineIndex } from '../core/lines.ts';
import type { Feature } from './compat.ts';

/**
 * What a template file uses that the writer controls, for the client-compatibility check (compat.ts): raw HTML
 * elements, the CSS in their `style` attributes, and the CSS in `<mj-style>`, each with its line.
 */

/** Replaces every character but newlines with a space, so offsets and lines are kept. */
function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

/** Handlebars (comments, triple and double stashes) and HTML comments, whichever starts first. */
const OPAQUE = /\{\{!--[\s\S]*?--\}\}|\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\}|<!--[\s\S]*?(?:-->|$)/g;
const CSS_COMMENT = /\/\*[\s\S]*?(?:\*\/|$)/g;
const PROPERTY_NAME = /^\s*(-{0,2}[a-zA-Z][\w-]*)\s*:/;
const AT_RULE = /^\s*@(-?[a-zA-Z][\w-]*)/;

/**
 * Dark-mode CSS is an enhancement: a client without it shows the light email as designed, so its lack is no
 * problem to report. That covers `@media (prefers-color-scheme: …)` and the two declarations of which schemes the
 * email supports; the declarations inside the block are still checked like any other.
 */
const COLOUR_SCHEME_MEDIA = /^\s*@media\s*\(\s*prefers-color-scheme\s*:\s*(?:dark|light)\s*\)\s*$/i;
const COLOUR_SCHEME_PROPERTIES = new Set(['color-scheme', 'supported-color-schemes']);

interface Found {
  feature: Feature;
  offset: number;
}

/**
 * Properties and at-rules in a CSS text starting at `base` in the (masked) template. Splits the text
 * on `{`, `;` and `}` outside strings and parentheses: a segment ended by `{` is a selector or an
 * at-rule prelude, any other is a declaration (or a statement at-rule such as `@import`).
 */
function scanCss(css: string, base: number, lines: LineIndex, out: Found[], declarationsOnly: boolean): void {
  const text = css.replace(CSS_COMMENT, blank);
  let start = 0;
  let parens = 0;
  let quote = '';
  const segment = (end: number, opensBlock: boolean): void => {
    const seg = text.slice(start, end);
    const at = declarationsOnly ? null : AT_RULE.exec(seg);
    if (at && COLOUR_SCHEME_MEDIA.test(seg)) return;
    if (at) {
      const offset = base + start + seg.indexOf('@');
      out.push({ offset, feature: { kind: 'at-rule', name: `@${at[1]!.toLowerCase()}`, line: lines.lineOf(offset) } });
    } else if (!opensBlock) {
      const prop = PROPERTY_NAME.exec(seg);
      if (prop && !COLOUR_SCHEME_PROPERTIES.has(prop[1]!.toLowerCase())) {
        const offset = base + start + seg.indexOf(prop[1]!);
        out.push({ offset, feature: { kind: 'property', name: prop[1]!.toLowerCase(), line: lines.lineOf(offset) } });
      }
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') parens++;
    else if (c === ')') parens = Math.max(0, parens - 1);
    else if (parens === 0 && (c === '{' || c === ';' || c === '}')) {
      segment(i, c === '{');
      start = i + 1;
    }
  }
  segment(text.length, false);
}

interface Attribute {
  name: string;
  value: string;
  valueOffset: number;
}

/** Parses the tag starting at `<name` (at `nameEnd`); returns its attributes and the offset after `>`. */
function readTag(src: string, nameEnd: number): { attributes: Attribute[]; end: number } {
  const attributes: Attribute[] = [];
  let i = nameEnd;
  const n = src.length;
  for (;;) {
    while (i < n && (/\s/.test(src[i]!) || src[i] === '/')) i++;
    if (i >= n) return { attributes, end: n };
    if (src[i] === '>') return { attributes, end: i + 1 };
    const nameStart = i;
    while (i < n && !/[\s=>/]/.test(src[i]!)) i++;
    if (i === nameStart) i++; // a stray character such as `"`: skip it
    const name = src.slice(nameStart, i).toLowerCase();
    let j = i;
    while (j < n && /\s/.test(src[j]!)) j++;
    if (src[j] !== '=') {
      attributes.push({ name, value: '', valueOffset: i });
      continue;
    }
    j++;
    while (j < n && /\s/.test(src[j]!)) j++;
    const q = src[j];
    if (q === '"' || q === "'") {
      const close = src.indexOf(q, j + 1);
      const end = close === -1 ? n : close;
      attributes.push({ name, value: src.slice(j + 1, end), valueOffset: j + 1 });
      i = end + 1;
    } else {
      let k = j;
      while (k < n && !/[\s>]/.test(src[k]!)) k++;
      attributes.push({ name, value: src.slice(j, k), valueOffset: j });
      i = k;
    }
  }
}

const TAG_START = /<([a-zA-Z][\w:.-]*)/g;

/** Features a template file uses that the writer controls: raw HTML elements (any tag NOT starting with `mj-`, lower-cased; ignore closing tags, comments and Handlebars `{{…}}`), CSS properties inside `style="…"` attributes on those raw elements, and CSS properties and at-rules (@media, @font-face, @import, @supports, @keyframes) inside `<mj-style>…</mj-style>` blocks. Each with its 1-based line in the file. */
export function templateFeatures(source: string): Feature[] {
  const src = source.replace(OPAQUE, blank);
  const lines = new LineIndex(source);
  const found: Found[] = [];
  TAG_START.lastIndex = 0;
  for (let m = TAG_START.exec(src); m !== null; m = TAG_START.exec(src)) {
    const tag = m[1]!.toLowerCase();
    const { attributes, end } = readTag(src, m.index + m[0].length);
    const isMjml = tag === 'mjml' || tag.startsWith('mj-');
    if (!isMjml) {
      found.push({ offset: m.index, feature: { kind: 'element', name: tag, line: lines.lineOf(m.index) } });
      for (const a of attributes) {
        if (a.name === 'style') scanCss(a.value, a.valueOffset, lines, found, true);
      }
    }
    // The content of style blocks is CSS, never markup.
    const selfClosing = src[end - 2] === '/' && src[end - 1] === '>';
    if ((tag === 'mj-style' || tag === 'style') && !selfClosing) {
      const close = new RegExp(`</${tag}\\s*>`, 'gi');
      close.lastIndex = end;
      const c = close.exec(src);
      const contentEnd = c === null ? src.length : c.index;
      scanCss(src.slice(end, contentEnd), end, lines, found, false);
      TAG_START.lastIndex = c === null ? src.length : c.index + c[0].length;
    } else {
      TAG_START.lastIndex = Math.max(end, m.index + 1);
    }
  }
  found.sort((a, b) => a.offset - b.offset);
  return found.map((f) => f.feature);
}
