import type { Config } from '../config/schema.ts';
import { hasErrors, type Diagnostic } from '../core/diagnostic.ts';
import { parseIssue } from '../issue/parse.ts';
import { renderIssue } from '../render/render-issue.ts';
import { issuePage, webEntry } from '../web/site.ts';
import type { Asset } from '../render/local-images.ts';
import { TemplateError, type TemplateSet } from '../render/templates.ts';

export interface IssueMeta {
  slug: string;
  file: string;
  title: string;
  subject: string;
  preheader: string;
  date: string;
  status: 'draft' | 'ready';
  author: string;
  tags: string[];
  words: number;
  reading_minutes: number;
  web_url: string;
  bytes: { html: number; text: number; mjml: number };
  diagnostics: Diagnostic[];
}

export interface BuiltIssue {
  file: string;
  slug: string | null;
  ok: boolean;
  diagnostics: Diagnostic[];
  /** Output files by name, present when the issue rendered. */
  outputs: Record<string, string | Buffer> | null;
  /** The issue's web page, for a ready issue; drafts never reach `dist/web/`. */
  webPage: string | null;
  /** Local images to copy beside the web page. */
  assets: Asset[];
  meta: IssueMeta | null;
}

/** Parses and renders one issue into the files `build` writes. Pure: no I/O. */
export async function buildIssue(
  file: string,
  source: string,
  config: Config,
  templates: TemplateSet,
  files: ReadonlySet<string> = new Set(),
): Promise<BuiltIssue> {
  const parsed = parseIssue(file, source, { author: config.author.name, layout: config.layout });
  if (!parsed.issue) return { file, slug: null, ok: false, diagnostics: parsed.diagnostics, outputs: null, webPage: null, assets: [], meta: null };
  const rendered = await renderIssue(parsed.issue, config, templates, files);
  const diagnostics = [...parsed.diagnostics, ...rendered.diagnostics];
  const { issue } = rendered;
  if (hasErrors(diagnostics) || !rendered.sample || !rendered.mjml) {
    return { file, slug: issue.slug, ok: false, diagnostics, outputs: null, webPage: null, assets: [], meta: null };
  }
  const meta: IssueMeta = {
    slug: issue.slug,
    file,
    title: issue.title,
    subject: rendered.subject,
    preheader: rendered.preheader,
    date: issue.date,
    status: issue.status,
    author: issue.author,
    tags: issue.tags,
    words: rendered.words,
    reading_minutes: rendered.readingMinutes,
    web_url: rendered.webUrl,
    bytes: {
      html: rendered.sample.html.length,
      text: rendered.sample.text.length,
      mjml: Buffer.byteLength(rendered.mjml),
    },
    diagnostics,
  };
  const entry = issue.status === 'ready' ? webEntry(rendered) : null;
  let webPage: string | null = null;
  if (entry) {
    try {
      webPage = issuePage(rendered, entry, config, templates);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      const problems = [...diagnostics, error.toDiagnostic()];
      return { file, slug: issue.slug, ok: false, diagnostics: problems, outputs: null, webPage: null, assets: [], meta: null };
    }
  }
  return {
    file,
    slug: issue.slug,
    ok: true,
    diagnostics,
    outputs: {
      'email.html': rendered.sample.html,
      'email.txt': rendered.sample.text,
      'email.mjml': rendered.mjml,
      ...(entry ? { 'web-content.html': entry.content, 'web.json': `${JSON.stringify({ ...entry, content: undefined })}\n` } : {}),
      'meta.json': `${JSON.stringify(meta, null, 2)}\n`,
    },
    webPage,
    assets: rendered.assets,
    meta,
  };
}
