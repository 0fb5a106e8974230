import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';

/**
 * CommonMark plus GFM tables and strikethrough. Raw HTML is parsed here and sanitised afterwards; linkify and the
 * typographer stay off so the writer's characters come out exactly as typed.
 */
const md = new MarkdownIt('commonmark', { html: true, linkify: false, typographer: false }).enable([
  'table',
  'strikethrough',
]);

/** Marks each block with its source line, so diagnostics found after rendering can point at the Markdown. */
md.core.ruler.push('source_lines', (state) => {
  for (const token of state.tokens) {
    if (token.map && token.nesting >= 0 && token.type !== 'inline') {
      token.attrSet('data-nl-line', String(token.map[0] + 1));
    }
  }
});

export type Block =
  | { kind: 'html'; html: string; line: number; endLine: number }
  | { kind: 'image'; src: string; alt: string; title: string; href: string | null; line: number }
  | { kind: 'divider'; line: number };

export interface ParsedBody {
  blocks: Block[];
  /** All words of the text, for reading time. */
  text: string;
  /** Text of the paragraphs, for the default preheader. */
  paragraphText: string;
}

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
  const tokens = md.parse(markdown, env);
  const words: string[] = [];
  const paragraphs: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === 'inline') {
      const text = inlineText(token);
      words.push(text);
      if (tokens[i - 1]?.type === 'paragraph_open') paragraphs.push(text);
    } else if (token.type === 'fence' || token.type === 'code_block') {
      words.push(token.content);
    }
  }

  const blocks: Block[] = [];
  let pending: Token[] = [];
  let pendingLine = 0;
  let pendingEnd = 0;
  const flush = () => {
    if (pending.length === 0) return;
    const html = md.renderer.render(pending, md.options, env);
    blocks.push({ kind: 'html', html, line: pendingLine, endLine: pendingEnd });
    pending = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const end = token.nesting === 1 ? blockEnd(tokens, i) : i;
    const line = firstLine + (token.map?.[0] ?? 0);
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
      });
    } else if (token.type === 'hr') {
      flush();
      blocks.push({ kind: 'divider', line });
    } else {
      if (pending.length === 0) pendingLine = line;
      pendingEnd = firstLine + (token.map?.[1] ?? 1) - 1;
      for (let j = i; j <= end; j++) pending.push(tokens[j]!);
    }
    i = end;
  }
  flush();
  return { blocks, text: words.join(' '), paragraphText: paragraphs.join(' ') };
}

function inlineText(inline: Token): string {
  let text = '';
  for (const t of inline.children ?? []) {
    if (t.type === 'text' || t.type === 'code_inline') text += t.content;
    else if (t.type === 'softbreak' || t.type === 'hardbreak') text += ' ';
  }
  return text;
}
