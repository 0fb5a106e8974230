import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { countWords } from '../issue/reading-time.ts';
import { DROP_WITH_CONTENT } from './sanitize.ts';
import { gfmStrikethrough } from './strikethrough.ts';

/**
 * CommonMark plus GFM tables and strikethrough (GFM's rule, see strikethrough.ts). Raw HTML is parsed here and
 * sanitised afterwards; linkify and the typographer stay off so the writer's characters come out exactly as typed.
 */
const md = new MarkdownIt('commonmark', { html: true, linkify: false, typographer: false })
  .enable(['table', 'strikethrough'])
  .use(gfmStrikethrough);

/**
 * Every link and image becomes a token, whatever its scheme: body-to-mjml checks each URL with `checkUrl`, removes the
 * unsafe ones and warns with the line. markdown-it's own check would instead leave `[x](javascript:…)` in the email
 * as literal bracket text, silently.
 */
md.validateLink = () => true;

/** GFM column alignment arrives as a style attribute; an `align` attribute survives sanitising and theme styles. */
md.core.ruler.push('cell_align', (state) => {
  for (const token of state.tokens) {
    if ((token.type === 'th_open' || token.type === 'td_open')) {
      const style = token.attrGet('style');
      const align = style ? /text-align:(left|right|center)/.exec(style)?.[1] : undefined;
      token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
      token.attrSet('align', align ?? 'left');
    }
  }
});

/** `<pre>` of a fenced block takes its style from `meta.preStyle`; markdown-it puts fence attributes on `<code>`. */
const renderFence = md.renderer.rules.fence!;
md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const html = renderFence(tokens, idx, options, env, self);
  const style = (tokens[idx]!.meta as { preStyle?: string } | null)?.preStyle;
  return style ? html.replace('<pre>', `<pre style="${md.utils.escapeHtml(style)}">`) : html;
};

/** Decodes entities and backslash escapes as markdown-it does in link targets. */
export function unescapeAll(text: string): string {
  return md.utils.unescapeAll(text);
}

export function renderTokens(tokens: Token[]): string {
  return md.renderer.render(tokens, md.options, {});
}

/** Each block has the file lines it spans: from `line` up to, not including, `end`. */
export type Block =
  /** A run of blocks for one mj-text; `raw` when it holds the writer's own HTML, which must be sanitised. */
  | { kind: 'html'; tokens: Token[]; raw: boolean; line: number; end: number }
  | { kind: 'image'; src: string; alt: string; title: string; href: string | null; line: number; end: number }
  | { kind: 'divider'; line: number; end: number };

/** The most rows (below the header) a table may have: a bigger one is left out, with an error (issue 12, finding 8). */
export const TABLE_ROWS_MAX = 2000;

export interface ParsedBody {
  blocks: Block[];
  /** Tables over TABLE_ROWS_MAX rows, left out of `blocks`: the file line of each and its rows. */
  oversizedTables: { line: number; rows: number }[];
  /** Words of the text, for reading time. */
  words: number;
  /** Start of the paragraphs' text, for the default preheader. */
  paragraphText: string;
}

/** Enough paragraph text for any preheader. */
const PARAGRAPH_TEXT_LIMIT = 400;

function blockEnd(tokens: Token[], start: number): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    depth += tokens[i]!.nesting;
    if (depth <= 0) return i;
  }
  return tokens.length - 1;
}

/** A paragraph that is only an image (maybe linked) becomes a full-width image block. */
function soleImage(inline: Token): { image: Token; href: string | null } | null {
  const kids = (inline.children ?? []).filter((t) => !(t.type === 'text' && t.content.trim() === '') && t.type !== 'softbreak');
  if (kids.length === 1 && kids[0]!.type === 'image') return { image: kids[0]!, href: null };
  if (kids.length === 3 && kids[0]!.type === 'link_open' && kids[1]!.type === 'image' && kids[2]!.type === 'link_close') {
    return { image: kids[1]!, href: kids[0]!.attrGet('href') };
  }
  return null;
}

/** Renders Markdown into top-level blocks: runs of HTML (for one mj-text), full-width images and dividers. */
export function parseMarkdown(markdown: string, firstLine: number): ParsedBody {
  const env = {};
  const { tokens, oversizedTables } = withoutOversizedTables(md.parse(markdown, env), firstLine);
  let words = 0;
  let paragraphText = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === 'inline') {
      const text = inlineText(token);
      words += countWords(text);
      if (tokens[i - 1]?.type === 'paragraph_open' && paragraphText.length < PARAGRAPH_TEXT_LIMIT) {
        paragraphText += `${text} `;
      }
    } else if (token.type === 'fence' || token.type === 'code_block') {
      words += countWords(token.content);
    }
  }

  const blocks: Block[] = [];
  let pending: Token[] = [];
  let pendingLine = 0;
  let pendingEnd = 0;
  let pendingRaw = false;
  const flush = () => {
    if (pending.length === 0) return;
    blocks.push({ kind: 'html', tokens: pending, raw: pendingRaw, line: pendingLine, end: pendingEnd });
    pending = [];
    pendingRaw = false;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const end = token.nesting === 1 ? blockEnd(tokens, i) : i;
    const line = firstLine + (token.map?.[0] ?? 0);
    const endLine = token.map ? firstLine + token.map[1] : line + 1;
    const inline = tokens[i + 1];
    const sole = token.type === 'paragraph_open' && inline ? soleImage(inline) : null;
    if (sole) {
      flush();
      const { image, href } = sole;
      blocks.push({
        kind: 'image',
        src: image.attrGet('src') ?? '',
        alt: image.children?.map((c) => c.content).join('') ?? image.content,
        title: image.attrGet('title') ?? '',
        href,
        line,
        end: endLine,
      });
    } else if (token.type === 'hr') {
      flush();
      blocks.push({ kind: 'divider', line, end: endLine });
    } else {
      if (pending.length === 0) pendingLine = line;
      pendingEnd = Math.max(pendingEnd, endLine);
      for (let j = i; j <= end; j++) {
        const t = tokens[j]!;
        pending.push(t);
        if (t.type === 'html_block' || t.children?.some((c) => c.type === 'html_inline')) pendingRaw = true;
      }
    }
    i = end;
  }
  flush();
  return { blocks, words, paragraphText, oversizedTables };
}

/**
 * Leaves out every table, at any depth, with more than TABLE_ROWS_MAX body rows: styling, MJML and the plain text
 * of a table are the costliest work per byte (a 6 MB table took 39 s and 2.2 GB), and no reader scrolls it in email.
 */
function withoutOversizedTables(tokens: Token[], firstLine: number): { tokens: Token[]; oversizedTables: ParsedBody['oversizedTables'] } {
  const oversizedTables: ParsedBody['oversizedTables'] = [];
  const kept: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type !== 'table_open') {
      kept.push(token);
      continue;
    }
    let rows = 0;
    let inBody = false;
    let end = i;
    while (end < tokens.length && tokens[end]!.type !== 'table_close') {
      const type = tokens[end]!.type;
      if (type === 'tbody_open') inBody = true;
      else if (type === 'tr_open' && inBody) rows++;
      end++;
    }
    if (rows <= TABLE_ROWS_MAX) {
      for (let j = i; j <= end && j < tokens.length; j++) kept.push(tokens[j]!);
    } else {
      oversizedTables.push({ line: firstLine + (token.map?.[0] ?? 0), rows });
    }
    i = end;
  }
  return { tokens: oversizedTables.length === 0 ? tokens : kept, oversizedTables };
}

const DROPPED = new Set(DROP_WITH_CONTENT);

/**
 * The words a reader sees. Text inside raw `<script>`, `<style>`, `<svg>`… is removed by the sanitiser, so it must not
 * reach the preheader or the word count either.
 */
function inlineText(inline: Token): string {
  let text = '';
  let dropped = 0;
  for (const t of inline.children ?? []) {
    if (t.type === 'html_inline') {
      const tag = /^<(\/?)([a-z][a-z0-9-]*)/i.exec(t.content);
      if (tag && DROPPED.has(tag[2]!.toLowerCase()) && !/\/\s*>$/.test(t.content)) {
        dropped = Math.max(0, dropped + (tag[1] ? -1 : 1));
      }
    } else if (dropped > 0) {
      continue;
    } else if (t.type === 'text' || t.type === 'code_inline') text += t.content;
    else if (t.type === 'softbreak' || t.type === 'hardbreak') text += ' ';
  }
  return text;
}
