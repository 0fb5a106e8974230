import type Token from 'markdown-it/lib/token.mjs';
import { renderTokens } from './markdown.ts';
import { TextBuilder } from './text-builder.ts';
import { convertFragment, underline, WORDWRAP, type BlockText } from './text.ts';

/** The body as its plain text is built: one piece per MJML element that bodyToMjml writes into the column. */
export type TextPiece =
  /** An mj-text holding rendered Markdown with no raw HTML: its tokens, and the HTML made from them. */
  | { kind: 'tokens'; tokens: readonly Token[]; html: string }
  /** An mj-text of the writer's sanitised HTML, converted by html-to-text itself. */
  | { kind: 'html'; html: string }
  | { kind: 'image'; alt: string; caption: string }
  | { kind: 'divider' };

/** Something the token walker does not render itself; the whole run then goes through html-to-text. */
class Unsupported extends Error {}

const DIVIDER = '-'.repeat(40);

/**
 * The body's plain text, built from the Markdown tokens instead of by html-to-text parsing the body's HTML again.
 * Every rule mirrors what html-to-text does with the HTML markdown-it renders from the same tokens (the formatters
 * in text.ts and html-to-text's defaults), including the whitespace text markdown-it writes between tags. Tables and
 * the writer's raw HTML are converted by html-to-text, on their own.
 */
export function bodyText(pieces: readonly TextPiece[]): BlockText & { convertedRuns: number } {
  const builder = new TextBuilder(WORDWRAP);
  /** Runs of Markdown the walker handed to html-to-text whole (a table in a list, say). */
  let convertedRuns = 0;
  for (const piece of pieces) {
    if (piece.kind === 'divider') {
      builder.openBlock(2);
      builder.addInline(DIVIDER);
      builder.closeBlock(2);
    } else if (piece.kind === 'image') {
      const alt = piece.alt.trim();
      if (alt) {
        builder.openBlock(1);
        builder.addInline(alt);
        builder.closeBlock(1);
      }
      if (piece.caption) {
        builder.openBlock(2);
        builder.addInline(piece.caption);
        builder.closeBlock(2);
      }
    } else if (piece.kind === 'html') {
      addConverted(builder, `<mj-text>${piece.html}</mj-text>`);
    } else {
      // A run is one mj-text; on anything the walker does not know, html-to-text converts the run instead.
      const run = new TextBuilder(WORDWRAP);
      try {
        run.openBlock(2);
        walkBlocks(run, piece.tokens, 0, piece.tokens.length, null);
        run.closeBlock(2);
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error;
        addConverted(builder, `<mj-text>${piece.html}</mj-text>`);
        convertedRuns++;
        continue;
      }
      const { text, leadingLineBreaks, trailingLineBreaks } = run.result();
      builder.addBlockText(text, leadingLineBreaks, trailingLineBreaks);
    }
  }
  return { ...builder.result(), convertedRuns };
}

function addConverted(builder: TextBuilder, mjml: string): void {
  const { text, leadingLineBreaks, trailingLineBreaks } = convertFragment(mjml);
  if (text !== '' || leadingLineBreaks > 0) builder.addBlockText(text, leadingLineBreaks, trailingLineBreaks);
}

/** Index of the token closing the one opened at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    depth += tokens[i]!.nesting;
    if (depth === 0) return i;
  }
  throw new Unsupported('unbalanced tokens');
}

/** markdown-it writes a newline after an opening block tag unless inline content or its own closing tag follows. */
function newlineAfterOpen(tokens: readonly Token[], i: number): boolean {
  const next = tokens[i + 1];
  if (!next) return true;
  return !(next.type === 'inline' || next.hidden || (next.nesting === -1 && next.tag === tokens[i]!.tag));
}

const underlineH1 = (text: string) => underline(text, '=');
const underlineOther = (text: string) => underline(text, '-');

const quote = (text: string) =>
  text
    .replace(/^\n+|\n+$/g, '')
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');

/** Block tokens in [start, end), inside the element `parent` ('li' matters: lists nested in items). */
function walkBlocks(b: TextBuilder, tokens: readonly Token[], start: number, end: number, parent: string | null): void {
  for (let i = start; i < end; i++) {
    const t = tokens[i]!;
    if (t.type === 'inline') {
      walkInline(b, t.children ?? []);
      continue;
    }
    // A tight list's paragraphs have no element; their text sits in the item.
    if (t.hidden) continue;
    if (t.type === 'fence' || t.type === 'code_block') {
      b.openBlock(2, 0, true);
      b.addInline(t.content);
      b.closeBlock(2);
      b.addInline('\n');
      continue;
    }
    if (t.type === 'html_block' || t.type === 'html_inline') throw new Unsupported('raw HTML');
    // The newline markdown-it writes between a hidden paragraph and a following block tag.
    if (t.block && t.nesting !== -1 && i > 0 && tokens[i - 1]!.hidden) b.addInline('\n');
    if (t.nesting === 0) {
      if (t.tag !== 'hr') throw new Unsupported(t.type);
      b.openBlock(2);
      b.addInline(DIVIDER);
      b.closeBlock(2);
      b.addInline('\n');
      continue;
    }
    if (t.nesting === -1) throw new Unsupported(`stray ${t.type}`);
    const close = closing(tokens, i);
    switch (t.tag) {
      case 'p':
        b.openBlock(2);
        walkChildren(b, tokens, i, close);
        b.closeBlock(2);
        break;
      case 'h1':
      case 'h2':
      case 'h3':
      case 'h4':
      case 'h5':
      case 'h6':
        b.openBlock(2);
        walkChildren(b, tokens, i, close);
        b.closeBlock(1, t.tag === 'h1' ? underlineH1 : underlineOther);
        break;
      case 'blockquote':
        b.openBlock(2, 2);
        walkChildren(b, tokens, i, close);
        b.closeBlock(2, quote);
        break;
      case 'ul':
      case 'ol':
        walkList(b, tokens, i, close, parent === 'li');
        break;
      case 'table':
        // Tables are html-to-text's own; nested in a list or a quote they take the run with them.
        if (parent !== null) throw new Unsupported('nested table');
        addConverted(b, renderTokens(tokens.slice(i, close + 1) as Token[]));
        break;
      default:
        throw new Unsupported(t.type);
    }
    // Every closing block tag is followed by a newline.
    b.addInline('\n');
    i = close;
  }
}

/** An element's content: the newline markdown-it may write after the opening tag, then the children. */
function walkChildren(b: TextBuilder, tokens: readonly Token[], open: number, close: number): void {
  if (newlineAfterOpen(tokens, open)) b.addInline('\n');
  walkBlocks(b, tokens, open + 1, close, tokens[open]!.tag);
}

/** html-to-text's list formatter: a prefix per item, the item's lines indented under it. */
function walkList(b: TextBuilder, tokens: readonly Token[], open: number, close: number, nested: boolean): void {
  const items: [number, number][] = [];
  for (let i = open + 1; i < close; i++) {
    const end = closing(tokens, i);
    if (tokens[i]!.tag !== 'li') throw new Unsupported('list child');
    items.push([i, end]);
    i = end;
  }
  if (items.length === 0) return;
  let next = Number(tokens[open]!.attrGet('start') ?? '1');
  const prefixes = items.map(() => {
    const prefix = tokens[open]!.tag === 'ul' ? ' * ' : ` ${next++}. `;
    return nested ? prefix.trimStart() : prefix;
  });
  b.openList(nested ? 1 : 2, Math.max(...prefixes.map((p) => p.length)));
  for (let n = 0; n < items.length; n++) {
    const [start, end] = items[n]!;
    b.openListItem(prefixes[n]!);
    walkChildren(b, tokens, start, end);
    b.closeListItem();
  }
  b.closeList(nested ? 1 : 2);
}

/** An image's alt attribute as markdown-it writes it. */
function altOf(children: readonly Token[] | null): string {
  let alt = '';
  for (const c of children ?? []) {
    if (c.type === 'text' || c.type === 'html_inline') alt += c.content;
    else if (c.type === 'image') alt += altOf(c.children);
    else if (c.type === 'softbreak' || c.type === 'hardbreak') alt += '\n';
  }
  return alt;
}

/** An anchor's URL as html-to-text shows it: without `mailto:`, and none for a link within the page. */
function shownHref(token: Token): string {
  const href = (token.attrGet('href') ?? '').replace(/^mailto:/, '');
  return href.startsWith('#') ? '' : href;
}

const INLINE_TAGS = new Set(['em_open', 'em_close', 'strong_open', 'strong_close', 'del_open', 'del_close']);

function walkInline(b: TextBuilder, children: readonly Token[]): void {
  const anchors: ({ href: string; text: string } | null)[] = [];
  for (const c of children) {
    switch (c.type) {
      case 'text':
      case 'code_inline':
        b.addInline(c.content);
        break;
      case 'softbreak':
        b.addInline('\n');
        break;
      case 'hardbreak':
        b.addLineBreak();
        b.addInline('\n');
        break;
      case 'image': {
        const alt = altOf(c.children).trim();
        if (alt) b.addInline(alt);
        break;
      }
      case 'link_open': {
        const href = shownHref(c);
        if (!href) {
          anchors.push(null);
          break;
        }
        const anchor = { href, text: '' };
        // html-to-text hides the URL when the link's words, joined, are the URL itself.
        b.pushWordTransform((word) => {
          anchor.text += word;
          return word;
        });
        anchors.push(anchor);
        break;
      }
      case 'link_close': {
        const anchor = anchors.pop();
        if (!anchor) break;
        b.popWordTransform();
        if (anchor.href !== anchor.text) b.addInline(anchor.text ? ` ${anchor.href}` : anchor.href, true);
        break;
      }
      default:
        if (!INLINE_TAGS.has(c.type)) throw new Unsupported(c.type);
    }
  }
}
