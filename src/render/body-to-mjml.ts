import { diag, type Diagnostic } from '../core/diagnostic.ts';
import { escapeHtml } from '../core/escape.ts';
import type { Theme } from '../config/schema.ts';
import type { Feature } from '../checks/compat.ts';
import type { BodyStyles } from './body-styles.ts';
import type Token from 'markdown-it/lib/token.mjs';
import { renderTokens, type Block } from './markdown.ts';
import { SourceLines } from './source-lines.ts';
import type { Asset, ImageResolution } from './local-images.ts';
import { sanitizeBody } from './sanitize.ts';
import { checkUrl, isRelativeUrl } from './safe-url.ts';
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
}

interface Context {
  file: string;
  /** Turns a local image path into its absolute URL, or says why it cannot (see local-images.ts). */
  resolveImage: (src: string) => ImageResolution;
  /** Local images the body uses, to be copied beside the web page, by project path. */
  assets: Map<string, Asset>;
  /** Finds the line of a link or image in the body's Markdown. */
  source: SourceLines;
  /** The file line of the body's first line, and the one just after the block being styled. */
  firstLine: number;
  until: number;
}

/** The line at or after `from` that contains `needle`, so a link's diagnostic points at the link, not its paragraph. */
function locate(ctx: Context, needle: string | undefined, from: number): number {
  return ctx.source.locate(needle, from, ctx.until);
}

/** The line of `needle`, looked for only when a diagnostic needs it, and once. */
function lineOf(ctx: Context, needle: string | undefined, from: number): () => number {
  let at: number | undefined;
  return () => (at ??= locate(ctx, needle, from));
}

function linkProblems(ctx: Context, href: string | undefined, removed: boolean, line: number): Diagnostic[] {
  const at = lineOf(ctx, href, line);
  const { file } = ctx;
  if (removed && startsWithSubscriberData(href!.trim())) {
    return [diag(file, at(), 'warning', 'links/unsafe', `removed a link to "${asMergeTags(href!).slice(0, 60)}": a link may not start with subscriber data`)];
  }
  if (removed) return [diag(file, at(), 'warning', 'links/unsafe', `removed a link to "${href!.slice(0, 40)}": only https, http and mailto links are kept`)];
  if (href === undefined || href.trim() === '') return [diag(file, at(), 'warning', 'links/empty', 'a link with no target')];
  if (href.trim() === '#') return [diag(file, at(), 'warning', 'links/empty', 'a link to "#" goes nowhere in an email')];
  if (href.trim().startsWith('#')) {
    // Nothing in an email or on the web page has an id to go to: the sanitiser removes ids and headings get none.
    return [diag(file, at(), 'warning', 'links/empty', `a link to "${href.trim().slice(0, 40)}" goes nowhere: nothing in the email has that id, and mail clients do not follow in-page links`)];
  }
  if (isRelativeUrl(href)) {
    return [diag(file, at(), 'error', 'links/relative', `the relative link "${asMergeTags(href).slice(0, 60)}" cannot be opened from an email: write the full https:// address`)];
  }
  if (/^http:/i.test(href.trim())) return [diag(file, at(), 'warning', 'links/http', `insecure link ${href}: use https`)];
  return [];
}

/**
 * Checks an image and resolves a local one (recording the file to copy); its diagnostics go to `sink`. Returns the
 * local image's absolute URL, or null when the source stays as it is.
 */
function checkImage(ctx: Context, src: string | undefined, alt: string | undefined, removed: boolean, line: number, sink: Diagnostic[]): string | null {
  const at = lineOf(ctx, src, line);
  const { file } = ctx;
  const found = removed || src === undefined ? null : ctx.resolveImage(src);
  if (removed && startsWithSubscriberData(src!.trim())) {
    sink.push(diag(file, at(), 'warning', 'images/unsafe', `removed an image from "${asMergeTags(src!).slice(0, 60)}": an image may not start with subscriber data`));
  } else if (removed) sink.push(diag(file, at(), 'warning', 'images/unsafe', `removed an image from "${src!.slice(0, 40)}": only https and http images are kept`));
  else if (src && /^http:/i.test(src.trim())) sink.push(diag(file, at(), 'warning', 'images/http', `insecure image ${src}: use https`));
  else if (src && found === null && isRelativeUrl(src)) {
    sink.push(diag(file, at(), 'error', 'images/relative', `the image "${src.trim().slice(0, 60)}" has a relative address, which no mail client can load: use an https:// URL, or put the file in issues/images/ and write its path without a leading "/"`));
  }
  if (alt === undefined || alt.trim() === '') sink.push(diag(file, at(), 'warning', 'images/alt', 'an image without alt text: screen readers and clients that block images show nothing'));
  if (found === null) return null;
  if ('error' in found) {
    sink.push(diag(file, at(), 'error', 'images/missing', found.error));
    return null;
  }
  if (!ctx.assets.has(found.asset.from)) ctx.assets.set(found.asset.from, found.asset);
  return found.url;
}

/** A full-width image on the web page: a figure, with its caption, linked when the Markdown linked it. */
function webFigure(block: Extract<Block, { kind: 'image' }>, href: string | null, theme: Theme): string {
  const img = `<img src="${escapeHtml(block.src)}" alt="${escapeHtml(block.alt)}" style="display:block;width:100%;height:auto;border:0;">`;
  const caption = block.title ? `<figcaption style="color:${theme.colors.muted};font-size:14px;line-height:1.4;margin-top:4px;">${escapeHtml(block.title)}</figcaption>` : '';
  return `<figure style="margin:8px 0 20px;">${href ? `<a href="${escapeHtml(href)}">${img}</a>` : img}${caption}</figure>\n`;
}

function imageBlock(block: Extract<Block, { kind: 'image' }>, theme: Theme, ctx: Context): { mjml: string; href: string | null; src: string; diagnostics: Diagnostic[] } {
  const removed = checkUrl(block.src, 'image') === 'unsafe';
  const diagnostics: Diagnostic[] = [];
  const local = checkImage(ctx, block.src, block.alt, removed, block.line, diagnostics);
  if (local) block = { ...block, src: local };
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
    mjml += `<mj-text css-class="nl-muted" padding="0 0 20px" font-size="14px" line-height="1.4" color="${theme.colors.muted}">${escapeHtml(block.title)}</mj-text>\n`;
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
      const local = checkImage(ctx, src, inlineText(token.children), removed, line, sink.diagnostics);
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
    onImage: (src, alt, removed) => checkImage(ctx, src, alt, removed, line, sink.diagnostics) ?? undefined,
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
  const ctx: Context = { file, resolveImage, assets: new Map(), source: new SourceLines(markdown, firstLine), firstLine, until: firstLine };
  const sink: Sink = { diagnostics: [], elements: [] };
  let mjml = '';
  let web = '';
  for (const block of blocks) {
    ctx.until = block.end;
    if (block.kind === 'divider') {
      mjml += `<mj-divider border-width="1px" border-color="${theme.colors.border}" padding="16px 0" />\n`;
      web += `<hr style="${styles.hr}">\n`;
    } else if (block.kind === 'image') {
      const out = imageBlock(block, theme, ctx);
      mjml += out.mjml;
      if (out.mjml !== '') {
        web += webFigure({ ...block, src: out.src }, out.href, theme);
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
      }
    }
  }
  return { mjml, web, assets: [...ctx.assets.values()], diagnostics: sink.diagnostics, elements: sink.elements };
}
