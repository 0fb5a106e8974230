import type { Config } from '../config/schema.ts';
import { diag, hasErrors, type Diagnostic } from '../core/diagnostic.ts';
import { compatDiagnostics } from '../checks/compat.ts';
import { runEmailChecks } from '../checks/email-checks.ts';
import type { Issue } from '../issue/issue.ts';
import { defaultPreheader } from '../issue/preheader.ts';
import { readingMinutes } from '../issue/reading-time.ts';
import { bodyStyles } from './body-styles.ts';
import { bodyToMjml } from './body-to-mjml.ts';
import { layoutContext } from './layout-context.ts';
import { parseMarkdown, TABLE_ROWS_MAX } from './markdown.ts';
import { expandBodyTags, makePlaceholders, type Placeholders } from './merge-tags.ts';
import { mjmlToHtml } from './mjml-to-html.ts';
import { RecipientTemplate, type PersonalisedEmail, type Recipient } from './personalise.ts';
import { templateCompat } from './template-compat.ts';
import { TemplateError, type TemplateSet } from './templates.ts';
import { mjmlToText } from './text.ts';
import { resolveLocalImage, type Asset } from './local-images.ts';
import { isRelativeUrl } from './safe-url.ts';
import { sendAtDiagnostics } from '../automation/issue-send-at.ts';
import { automationIssueFiles } from '../config/automations.ts';

/** Why a `topic:` is refused: it is not one of the config's topics, which are listed. */
function unknownTopic(topic: string, config: Config): string {
  const known = config.topics.length > 0 ? `the topics are ${config.topics.map((t) => t.id).join(', ')}` : 'newsletter.yaml has no "topics:"';
  return `the topic "${topic}" is not in newsletter.yaml (${known}); remove "topic:" to send to the main list`;
}

/** The subscriber the build renders with, so `dist/` shows a realistic email. */
export function sampleRecipient(config: Config): Recipient {
  return { name: 'Sample Reader', email: 'reader@example.com', unsubscribeUrl: `${config.url}/unsubscribe/sample`, preferencesUrl: `${config.url}/preferences/sample` };
}

export interface RenderedIssue {
  issue: Issue;
  subject: string;
  preheader: string;
  words: number;
  readingMinutes: number;
  webUrl: string;
  /** Null when rendering failed; the diagnostics say why. */
  mjml: string | null;
  /** Final HTML and text with placeholders, before personalisation. */
  html: string | null;
  text: string | null;
  recipientTemplate: RecipientTemplate | null;
  /** The email as the sample subscriber gets it. */
  sample: PersonalisedEmail | null;
  /** The body as HTML for the web page, with placeholders where subscriber data goes (see src/web). */
  webBody: string;
  /** Local image files the email and page use, to copy beside the web page. */
  assets: Asset[];
  placeholders: Placeholders;
  diagnostics: Diagnostic[];
}

/**
 * The render core: issue → MJML → HTML, text, diagnostics and the per-subscriber template. Pure: everything it
 * needs comes in as arguments; MJML runs once.
 */
export async function renderIssue(
  issue: Issue,
  config: Config,
  templates: TemplateSet,
  /** Project paths of the files under `issues/`, for local images; none given, none found. */
  files: ReadonlySet<string> = new Set(),
): Promise<RenderedIssue> {
  const layout = templates.layoutFile(issue.layout);
  const sources = [issue.body, ...Object.values(templates.sources.layouts), ...Object.values(templates.sources.partials)]
    .map((t) => (typeof t === 'string' ? t : t.source));
  const placeholders = makePlaceholders(sources);
  const webUrl = `${config.url}/${issue.slug}/`;
  const diagnostics: Diagnostic[] = [];

  if (issue.topic !== null && !config.topics.some((t) => t.id === issue.topic)) {
    diagnostics.push(diag(issue.file, issue.lines.topic ?? 1, 'error', 'front-matter/topic', unknownTopic(issue.topic, config), 'topic'));
  }
  diagnostics.push(...sendAtDiagnostics(issue, config.timezone));
  const tags = expandBodyTags(issue.body, issue.file, issue.bodyLine, placeholders, webUrl);
  diagnostics.push(...tags.diagnostics);
  const parsed = parseMarkdown(tags.markdown, issue.bodyLine);
  for (const table of parsed.oversizedTables) {
    diagnostics.push(diag(issue.file, table.line, 'error', 'size/table', `this table has ${table.rows.toLocaleString('en')} rows; at most ${TABLE_ROWS_MAX.toLocaleString('en')} fit in an email: split it, or link to the full data`));
  }
  const words = parsed.words;
  const preheader = issue.preheader ?? defaultPreheader(parsed.paragraphText);
  const resolveImage = (src: string) => resolveLocalImage(src, issue.slug, config.url, files);
  const body = bodyToMjml(parsed.blocks, config.theme, bodyStyles(config.theme), issue.file, tags.markdown, issue.bodyLine, resolveImage);
  const assets = [...body.assets];
  let hero = issue.image;
  const heroImage = hero ? resolveImage(hero.src) : null;
  if (hero && heroImage === null && isRelativeUrl(hero.src)) {
    diagnostics.push(diag(issue.file, issue.lines.image ?? 1, 'error', 'images/relative', `the hero image "${hero.src.slice(0, 60)}" has a relative address, which no mail client can load: use an https:// URL, or put the file in issues/images/ and write its path without a leading "/"`, 'image.src'));
  }
  if (hero && heroImage) {
    if ('error' in heroImage) diagnostics.push(diag(issue.file, issue.lines.image ?? 1, 'error', 'images/missing', heroImage.error, 'image.src'));
    else {
      hero = { ...hero, src: heroImage.url };
      const { asset } = heroImage;
      if (!assets.some((a) => a.from === asset.from)) assets.push(asset);
    }
  }
  diagnostics.push(...body.diagnostics, ...compatDiagnostics(issue.file, body.elements));

  // An automation's issue is mail for one reader at a time (a welcome, a sequence step), never an archive entry.
  const automation = issue.archive && automationIssueFiles(config.automations).has(issue.file);
  const result: RenderedIssue = {
    // The issue as rendered: a local hero image already points at its published URL.
    issue: hero === issue.image && !automation ? issue : { ...issue, image: hero, ...(automation ? { archive: false } : {}) },
    subject: issue.subject,
    preheader,
    words,
    readingMinutes: readingMinutes(words),
    webUrl,
    mjml: null,
    html: null,
    text: null,
    recipientTemplate: null,
    sample: null,
    webBody: body.web,
    assets,
    placeholders,
    diagnostics,
  };
  if (!layout) {
    diagnostics.push(templates.unknownLayout(issue.layout, issue.file, issue.lines.layout ?? 1));
    return result;
  }
  diagnostics.push(...templateCompat(templates, issue.layout));
  if (hasErrors(diagnostics)) return result;

  const context = layoutContext(result.issue, config, {
    body: body.mjml,
    preheader,
    readingMinutes: result.readingMinutes,
    placeholders,
    webUrl,
  });
  let mjml: string;
  try {
    mjml = templates.render(issue.layout, context);
  } catch (error) {
    diagnostics.push(asDiagnostic(error, issue.file));
    return result;
  }
  result.mjml = mjml;
  const templateFiles = [layout, ...Object.values(templates.sources.partials)];
  const converted = await mjmlToHtml(mjml, templateFiles, layout.file);
  diagnostics.push(...converted.diagnostics);
  if (converted.html === null) return result;

  result.html = converted.html;
  result.text = mjmlToText(mjml);
  result.recipientTemplate = new RecipientTemplate(result.html, result.text, placeholders);
  result.sample = result.recipientTemplate.render(sampleRecipient(config));
  diagnostics.push(
    ...runEmailChecks({
      file: issue.file,
      layoutFile: layout.file,
      htmlBytes: result.sample.html.length,
      preheader,
      mjml,
      html: result.html,
      unsubscribePlaceholder: placeholders.unsubscribe,
    }),
  );
  return result;
}

function asDiagnostic(error: unknown, file: string): Diagnostic {
  if (error instanceof TemplateError) return error.toDiagnostic();
  return diag(file, 0, 'error', 'template/render', (error as Error).message);
}
