import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Config } from '../config/schema.ts';
import { diag, DiagnosticError } from '../core/diagnostic.ts';
import { readTextFileSync } from '../core/read-text.ts';
import { escapeHtml } from '../core/escape.ts';
import { loadTemplateSources } from '../render/load-templates.ts';
import { packageRoot } from '../project/package-root.ts';

export const CONFIRMATION_TEMPLATE = 'templates/emails/confirmation.mjml.hbs';

/** Stands for the link while the template is rendered once; only letters and dashes, so no escaping changes it. */
const PLACEHOLDER = 'https://confirm.invalid/NL-CONFIRM-URL';

/** The confirmation email rendered once, with the link filled per email. */
export interface ConfirmationTemplate {
  file: string;
  html: (link: string) => string;
  text: (link: string) => string;
}

/**
 * The project's template, or the one shipped with the tool for projects made before it existed; read through the
 * one text decoder, so a bad byte is named by line as in any other template.
 */
function readTemplate(root: string | null): { file: string; source: string } {
  const own = root === null ? null : join(root, CONFIRMATION_TEMPLATE);
  if (own !== null && existsSync(own)) return { file: CONFIRMATION_TEMPLATE, source: readTextFileSync(own, CONFIRMATION_TEMPLATE).replace(/\r\n?/g, '\n') };
  const file = `${CONFIRMATION_TEMPLATE} (the default)`;
  return { file, source: readTextFileSync(join(packageRoot(), CONFIRMATION_TEMPLATE), file) };
}

/**
 * The partials the template can use, so the confirmation email shares the issues' masthead and dark mode: the
 * tool's own, overlaid by the project's (a project made before a partial existed still finds it). Read by the one
 * template loader, with its rules.
 */
async function partials(root: string | null): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const home of root === null ? [packageRoot()] : [packageRoot(), root]) {
    const found = await loadTemplateSources(home).then(
      (sources) => sources.partials,
      (error: unknown) => {
        // A project with no templates/ folder at all has no partials of its own; any other problem is reported.
        if (error instanceof DiagnosticError && error.diagnostics.every((d) => d.rule === 'template/missing')) return {};
        throw error;
      },
    );
    for (const [name, p] of Object.entries(found)) out[name] = p.source;
  }
  return out;
}

function fail(file: string, line: number, message: string): never {
  throw new DiagnosticError([diag(file, line, 'error', 'template/render', message)]);
}

/**
 * Renders the confirmation email's template once (MJML is slow); errors name the file and line. `root` null: the
 * tool's default template.
 */
export async function loadConfirmationTemplate(root: string | null, config: Config): Promise<ConfirmationTemplate> {
  const { file, source } = readTemplate(root);
  const handlebars = Handlebars.create();
  handlebars.registerPartial(await partials(root));
  const context = {
    newsletter: { name: config.name, description: config.description, url: config.url, address: config.address, language: config.language },
    theme: config.theme,
    confirm_url: PLACEHOLDER,
  };
  let mjml: string;
  try {
    mjml = handlebars.compile(source, { strict: true, preventIndent: true })(context);
  } catch (error) {
    const e = error as Error & { lineNumber?: number };
    const at = /(?:line (\d+)|- (\d+):\d+$)/.exec(e.message);
    let message = e.message.split('\n')[0]!.replace(/ - \d+:\d+$/, '');
    const missing = /^"(.+)" not defined in/.exec(message);
    if (missing) message = `unknown field {{${missing[1]}}} (the confirmation email sees newsletter.*, theme.* and confirm_url)`;
    fail(file, e.lineNumber ?? Number(at?.[1] ?? at?.[2] ?? 0), message);
  }
  // Through the render stack's own bundle, loaded for this once: serve then holds one copy of MJML, not two.
  const { mjmlToHtml, mjmlToText } = await import('../project/render-stack.ts');
  const { html, diagnostics } = await mjmlToHtml(mjml, [{ file, source }], file);
  if (html === null) throw new DiagnosticError(diagnostics);
  const text = mjmlToText(mjml);
  if (!html.includes(PLACEHOLDER) || !text.includes(PLACEHOLDER)) fail(file, 0, 'the template never uses {{confirm_url}}, the link that confirms the subscription');
  const [htmlParts, textParts] = [html.split(PLACEHOLDER), text.split(PLACEHOLDER)];
  return {
    file,
    // The link is ours (the configured URL and a base64url token); escaped anyway, it is safe in text and attributes.
    html: (link) => htmlParts.join(escapeHtml(link)),
    text: (link) => textParts.join(link),
  };
}
