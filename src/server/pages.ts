import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Config } from '../config/schema.ts';
import { readTextFileSync } from '../core/read-text.ts';
import { urlPath } from '../web/url-path.ts';

export interface PageContent {
  title: string;
  message: string;
  /** A single-button form: the only way a visit changes anything (link scanners only GET). */
  form?: PageForm;
}

/** A form on a page. Beside its button it may carry hidden fields, checkboxes and a second button (the preferences page). */
export interface PageForm {
  action: string;
  button: string;
  hidden?: { name: string; value: string }[];
  choices?: { name: string; value: string; label: string; description: string | null; checked: boolean }[];
  /** A second submit button, posting `name=1`. */
  alternative?: { name: string; button: string } | null;
}

/** The public server's pages, from `templates/pages/page.hbs`, styled with the newsletter's theme; all text escaped. */
export function loadPages(root: string, config: Config): (content: PageContent) => string {
  const source = readTextFileSync(join(root, 'templates', 'pages', 'page.hbs'), 'templates/pages/page.hbs');
  const template = Handlebars.create().compile(source, { strict: true });
  const newsletter = { name: config.name, url: config.url, path: urlPath(config.url), address: config.address, language: config.language };
  return (content) => template({ newsletter, theme: config.theme, title: content.title, message: content.message, form: content.form ? { hidden: [], choices: [], alternative: null, ...content.form } : null });
}
