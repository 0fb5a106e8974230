import { diag, type Diagnostic } from '../core/diagnostic.ts';
import { escapeHtml } from '../core/escape.ts';
import type { Theme } from '../config/schema.ts';
import type { Feature } from '../checks/compat.ts';
import type { BodyStyles } from './body-styles.ts';
import type Token from 'markdown-it/lib/token.mjs';
import { renderTokens, unescapeAll, type Block } from './markdown.ts';
import type { Asset, ImageResolution } from './local-images.ts';
import type { TextPiece } from './body-text.ts';
import { sanitizeBody } from './sanitize.ts';
import { checkUrl } from './safe-url.ts';
import { asMergeTags, startsWithSubscriberData } from './merge-tags.ts';

export interface BodyMjml {
  mjml: string;
  /** The same body as HTML for the issue's web page: the same styled runs, figures for images, rules for dividers. */
  web: string;
  /** Local image files the body uses. */
  assets: Asset[];
  diagnostics: Diagnostic[];
  /** HTML elements the body uses, for the client-compatibility check. */
  elements: Feature[];
  /** What the plain text is built from (body-text.ts), one piece per element of `mjml`. */
  text: TextPiece[];
}

interface Context {
  file: string;
  /** Turns a local image path into its absolute URL, or says why it cannot (see local-images.ts). */
  resolveImage: (src: string) => ImageResolution;
  /** Local images the body uses, to be copied beside the web page. */
  assets: Asset[];
  /** The body's Markdown and the file line of its first line. */
  markdown: string;
  firstLine: number;
  /** The Markdown split in lines, made on the first diagnostic that needs it. */
  lines?: string[];
}

/**
 * A URL as compared with the source: entities decoded, percent-encoded and raw whitespace and controls dropped,
 * lower case, so `java&#x09;script:` in the Markdown matches the `java%09script:` markdown-it made of it.
 */
function comparable(text: string): string {
  // eslint-disable-next-line no-control-regex -- the same characters checkUrl ignores
  return unescapeAll(text).replace(/[\u0000-\u0020\u007f-\u009f]+|%(?:[01][0-9a-f]|20|7f)/gi, '').toLowerCase();
}

/** The line at or after `from` that contains `needle`, so a link's diagnostic points at the link, not its paragraph. */
function locate(ctx: Context, needle: string | undefined, from: number): number {
  if (!needle) return from;
  const lines = (ctx.lines ??= ctx.markdown.split('\n'));
  let wanted: string | undefined;
  for (let i = from - ctx.firstLine; i >= 0 && i < lines.length && i < from - ctx.firstLine + 200; i++) {
    if (lines[i]!.includes(needle)) return i + ctx.firstLine;
    wanted ??= comparable(needle);
    if (wanted !== '' && comparable(lines[i]!).includes(wanted)) return i + ctx.firstLine;
  }
  return from;
}

function linkProblems(ctx: Context, href: string | undefined, removed: boolean, line: number): Diagnostic[] {
  const at = locate(ctx, href, line);
  const { file } = ctx;
  if (removed && startsWithSubscriberData(href!.trim())) {
    return [diag(file, at, 'warning', 'links/unsafe', `removed a link to "${asMergeTags(href!).slice(0, 60)}": a link may not start with subscriber data`)];
  }
  if (removed) return [diag(file, at, 'warning', 'links/unsafe', `removed a link to "${href!.slice(0, 40)}": only https, http, mailto and relative links are kept`)];
  if (href === undefined || href.trim() === '') return [diag(file, at, 'warning', 'links/empty', 'a link with no target')];
  if (href.trim() === '#') return [diag(file, at, 'warning', 'links/empty', 'a link to "#" goes nowhere in an email')];
  if (/^http:/i.test(href.trim())) return [diag(file, at, 'warning', 'links/http', `insecure link ${href}: use https`)];
  return [];
}

/** A local image's absolute URL (recording the file to copy), an error with the line, or null for a remote one. */
function localImage(ctx: Context, src: string | undefined, line: number, sink: Diagnostic[]): string | null {
  if (src === undefined) return null;
  const found = ctx.resolveImage(src);
  if (found === null) return null;
  if ('error' in found) {
    sink.push(diag(ctx.file, locate(ctx, src, line), 'error', 'images/missing', found.error));
    return null;
  }
  if (!ctx.assets.some((a) => a.from === found.asset.from)) ctx.assets.push(found.asset);
  return found.url;
}

function imageProblems(ctx: Context, src: string | undefined, alt: string | undefined, removed: boolean, line: number): Diagnostic[] {
  const at = locate(ctx, src, line);
  const { file } = ctx;
  const out: Diagnostic[] = [];
  if (removed && startsWithSubscriberData(src!.trim())) {
    out.push(diag(file, at, 'warning', 'images/unsafe', `removed an image from "${asMergeTags(src!).slice(0, 60)}": an image may not start with subscriber data`));
  } else if (removed) out.push(diag(file, at, 'warning', 'images/unsafe', `removed an image from "${src!.slice(0, 40)}": only https and http images are kept`));
  else if (src && /^http:/i.test(src.trim())) out.push(diag(file, at, 'warning', 'images/http', `insecure image ${src}: use https`));
  if (alt === undefined || alt.trim() === '') out.push(diag(file, at, 'warning', 'images/alt', 'an image without alt text: screen readers and clients that block images show nothing'));
  return out;
}

/** A full-width image on the web page: a figure, with its caption, linked when the Markdown linked it. */
function webFigure(block: Extract<Block, { kind: 'image' }>, href: string | null, theme: Theme): string {
  const img = `<img src="${escapeHtml(block.src)}" alt="${escapeHtml(block.alt)}" style="display:block;width:100%;height:auto;border:0;">`;
  const caption = block.title ? `<figcaption style="color:${theme.colors.muted};font-size:14px;line-height:1.4;margin-top:4px;">${escapeHtml(block.title)}</figcaption>` : '';
  return `<figure style="margin:8px 0 20px;">${href ? `<a href="${escapeHtml(href)}">${img}</a>` : img}${caption}</figure>\n`;
}

function imageBlock(block: Extract<Block, { kind: 'image' }>, theme: Theme, ctx: Context): { mjml: string; href: string | null; src: string; diagnostics: Diagnostic[] } {
  const removed = checkUrl(block.src, 'image') === 'unsafe';
  const diagnostics = imageProblems(ctx, block.src, block.alt, removed, block.line);
  if (!removed) block = { ...block, src: localImage(ctx, block.src, block.line, diagnostics) ?? block.src };
  let href = block.href;
  if (href !== null) {
    const linkRemoved = checkUrl(href, 'link') === 'unsafe';
    diagnostics.push(...linkProblems(ctx, href, linkRemoved, block.line));
    if (linkRemoved) href = null;
  }
  if (removed) return { mjml: '', href, src: block.src, diagnostics };
  const attrs = [
    `src="${escapeHtml(block.src)}"`,
    `alt="${escapeHtml(block.alt)}"`,
    href ? `href="${escapeHtml(href)}"` : '',
    block.title ? `title="${escapeHtml(block.title)}"` : '',
    'fluid-on-mobile="true"',
    `padding="${block.title ? '8px 0 4px' : '8px 0 20px'}"`,
  ].filter(Boolean);
  let mjml = `<mj-image ${attrs.join(' ')} />\n`;
  if (block.title) {
    mjml += `<mj-text padding="0 0 20px" font-size="14px" line-height="1.4" color="${theme.colors.muted}">${escapeHtml(block.title)}</mj-text>\n`;
  }
  return { mjml, href, src: block.src, diagnostics };
}

interface Sink {
  diagnostics: Diagnostic[];
  elements: Feature[];
}

function inlineText(tokens: readonly Token[] | null): string {
  return (tokens ?? []).map((t) => (t.children ? inlineText(t.children) : t.content)).join('');
}

/**
 * Styles and checks Markdown that holds no raw HTML, on its tokens. markdown-it escapes all text and refuses
 * javascript:, vbscript: and file: links itself; data: URLs, which it allows for images, are removed here.
 */
function styleTokens(tokens: readonly Token[], styles: BodyStyles, ctx: Context, sink: Sink, line: number): number {
  for (const token of tokens) {
    if (token.map) line = ctx.firstLine + token.map[0];
    // An image's children are its alt text; the image itself is checked below.
    if (token.children && token.type !== 'image') {
      styleTokens(token.children, styles, ctx, sink, line);
      continue;
    }
    if (token.nesting === -1 || !token.tag) continue;
    const tag = token.tag;
    sink.elements.push({ kind: 'element', name: tag, line });
    if (token.type === 'link_open') {
      const href = token.attrGet('href') ?? undefined;
      const removed = href !== undefined && checkUrl(href, 'link') === 'unsafe';
      if (removed) token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'href');
      sink.diagnostics.push(...linkProblems(ctx, href, removed, line));
    } else if (token.type === 'image') {
      const src = token.attrGet('src') ?? undefined;
      const removed = src !== undefined && checkUrl(src, 'image') === 'unsafe';
      if (removed) token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'src');
      sink.diagnostics.push(...imageProblems(ctx, src, inlineText(token.children), removed, line));
      const local = removed ? null : localImage(ctx, src, line, sink.diagnostics);
      if (local) token.attrSet('src', local);
    }
    if (token.type === 'fence') {
      token.meta = { preStyle: styles.pre };
    } else if (token.type === 'code_block') {
      token.attrSet('style', styles.pre!);
    } else {
      const style = styles[tag];
      if (style) token.attrSet('style', style);
    }
  }
  return line;
}

/** Raw HTML goes through the sanitiser, which also styles it; block markers carry source lines through. */
function sanitizeTokens(tokens: readonly Token[], styles: BodyStyles, ctx: Context, sink: Sink, firstLine: number): string {
  for (const token of tokens) {
    if (token.map && token.nesting >= 0 && token.type !== 'inline') token.attrSet('data-nl-line', String(token.map[0] + 1));
  }
  let line = firstLine;
  return sanitizeBody(renderTokens(tokens as Token[]), styles, {
    onLine: (n) => {
      line = ctx.firstLine + n - 1;
    },
    onLink: (href, removed) => sink.diagnostics.push(...linkProblems(ctx, href, removed, line)),
    onImage: (src, alt, removed) => {
      sink.diagnostics.push(...imageProblems(ctx, src, alt, removed, line));
      return removed ? undefined : (localImage(ctx, src, line, sink.diagnostics) ?? undefined);
    },
    onElement: (name) => sink.elements.push({ kind: 'element', name, line }),
  });
}

/** Turns the body's blocks into column-level MJML: mj-text runs, full-width mj-image and mj-divider. */
export function bodyToMjml(
  blocks: readonly Block[],
  theme: Theme,
  styles: BodyStyles,
  file: string,
  markdown: string,
  firstLine: number,
  resolveImage: (src: string) => ImageResolution = () => null,
): BodyMjml {
  const ctx: Context = { file, markdown, firstLine, resolveImage, assets: [] };
  const sink: Sink = { diagnostics: [], elements: [] };
  let mjml = '';
  let web = '';
  const text: TextPiece[] = [];
  for (const block of blocks) {
    if (block.kind === 'divider') {
      mjml += `<mj-divider border-width="1px" border-color="${theme.colors.border}" padding="16px 0" />\n`;
      web += `<hr style="${styles.hr}">\n`;
      text.push({ kind: 'divider' });
    } else if (block.kind === 'image') {
      const out = imageBlock(block, theme, ctx);
      mjml += out.mjml;
      if (out.mjml !== '') {
        web += webFigure({ ...block, src: out.src }, out.href, theme);
        text.push({ kind: 'image', alt: block.alt, caption: block.title });
      }
      sink.diagnostics.push(...out.diagnostics);
      sink.elements.push({ kind: 'element', name: 'img', line: block.line });
    } else {
      let html: string;
      if (block.raw) {
        html = sanitizeTokens(block.tokens, styles, ctx, sink, block.line);
      } else {
        styleTokens(block.tokens, styles, ctx, sink, block.line);
        html = renderTokens(block.tokens);
      }
      if (html.trim() !== '') {
        mjml += `<mj-text>${html}</mj-text>\n`;
        web += `${html}\n`;
        text.push(block.raw ? { kind: 'html', html } : { kind: 'tokens', tokens: block.tokens, html });
      }
    }
  }
  return { mjml, web, assets: ctx.assets, diagnostics: sink.diagnostics, elements: sink.elements, text };
}
