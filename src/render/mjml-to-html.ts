import mjml2html from 'mjml';
import { diag, type Diagnostic } from '../core/diagnostic.ts';
import { hidePreheader } from './hidden-preheader.ts';
import type { TemplateFile } from './template-sources.ts';

export interface MjmlResult {
  html: string | null;
  diagnostics: Diagnostic[];
}

/** Fixed options: strict validation, no includes, no web fonts fetched from Google unless the theme asks. */
export const MJML_OPTIONS = {
  validationLevel: 'strict',
  ignoreIncludes: true,
  keepComments: false,
  fonts: {},
  beautify: false,
  minify: false,
} as const;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * MJML reports lines of the assembled document; the writer needs the template line. The offending line is matched
 * against each template's lines, reading each `{{…}}` expression as a wildcard.
 */
export function locateInTemplates(line: string, templates: readonly TemplateFile[]): { file: string; line: number } | null {
  const wanted = line.trim();
  if (wanted === '') return null;
  for (const t of templates) {
    const lines = t.source.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const candidate = lines[i]!.trim();
      if (candidate === '' || !candidate.startsWith('<')) continue;
      const pattern = candidate
        .split(/\{\{\{?[^}]*\}?\}\}/)
        .map(escapeRegExp)
        .join('[\\s\\S]*?');
      if (new RegExp(`^${pattern}$`).test(wanted)) return { file: t.file, line: i + 1 };
    }
  }
  return null;
}

/** MJML to HTML. Validation errors come back as diagnostics naming the template file and line. */
export async function mjmlToHtml(
  mjml: string,
  templates: readonly TemplateFile[],
  fallbackFile: string,
): Promise<MjmlResult> {
  const include = mjml.search(/<mj-include\b/i);
  if (include !== -1) {
    return {
      html: null,
      diagnostics: [diag(fallbackFile, 0, 'error', 'mjml/include', 'mj-include is not allowed in templates or issues')],
    };
  }
  try {
    const result = await mjml2html(mjml, MJML_OPTIONS);
    return { html: hidePreheader(result.html), diagnostics: [] };
  } catch (error) {
    const details = (error as { errors?: { line: number; message: string; tagName: string }[] }).errors;
    if (!Array.isArray(details)) {
      return { html: null, diagnostics: [diag(fallbackFile, 0, 'error', 'mjml/error', (error as Error).message)] };
    }
    const lines = mjml.split('\n');
    return {
      html: null,
      diagnostics: details.map((d) => {
        const where = locateInTemplates(lines[d.line - 1] ?? '', templates) ?? { file: fallbackFile, line: 0 };
        return diag(where.file, where.line, 'error', 'mjml/invalid', `MJML: ${d.message} (<${d.tagName}>)`);
      }),
    };
  }
}
