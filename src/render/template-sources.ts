import { diag, DiagnosticError, type Diagnostic } from '../core/diagnostic.ts';

export interface TemplateFile {
  /** Path relative to the project root, e.g. `templates/layouts/newsletter.mjml.hbs`. */
  file: string;
  source: string;
}

/** The raw template files, read at the edge; everything below is pure. */
export interface TemplateSources {
  layouts: Record<string, TemplateFile>;
  partials: Record<string, TemplateFile>;
  /** `templates/web/*.hbs`: the web archive's pages (HTML, not MJML). */
  web?: Record<string, TemplateFile>;
}

export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

/** Checks names and the `mj-include` rule before a template set is used. */
export function validateTemplateSources(sources: TemplateSources): void {
  const problems: Diagnostic[] = [];
  for (const group of [sources.layouts, sources.partials, sources.web ?? {}]) {
    for (const [name, t] of Object.entries(group)) {
      // Web partials are named with a leading underscore (`templates/web/_footer.hbs` is `{{> footer}}`).
      if (!NAME_PATTERN.test(group === sources.web ? name.replace(/^_/, '') : name)) {
        problems.push(diag(t.file, 0, 'error', 'template/name', `template names use letters, digits, - and _ only`));
      }
      const include = t.source.search(/<mj-include\b/i);
      if (include !== -1) {
        const line = t.source.slice(0, include).split('\n').length;
        problems.push(diag(t.file, line, 'error', 'template/mj-include', 'mj-include is not allowed: use a Handlebars partial ({{> name}}) from templates/partials/'));
      }
    }
  }
  if (problems.length > 0) throw new DiagnosticError(problems);
}
