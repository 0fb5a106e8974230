import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { diag, DiagnosticError, type Diagnostic } from '../core/diagnostic.ts';
import { validateTemplateSources, type TemplateFile, type TemplateSources } from './template-sources.ts';

export const TEMPLATE_SUFFIX = '.mjml.hbs';

/**
 * Reads `templates/layouts/*.mjml.hbs` and `templates/partials/*.mjml.hbs`, and nothing else: no subfolders, and no
 * file whose real path (through symlinks) leaves `templates/`.
 */
export async function loadTemplateSources(root: string): Promise<TemplateSources> {
  const templatesDir = join(root, 'templates');
  let realRoot: string;
  try {
    realRoot = await realpath(templatesDir);
  } catch {
    throw new DiagnosticError([diag('templates', 0, 'error', 'template/missing', 'no templates/ folder in the project')]);
  }
  const problems: Diagnostic[] = [];
  const read = async (group: 'layouts' | 'partials'): Promise<Record<string, TemplateFile>> => {
    const out: Record<string, TemplateFile> = {};
    let names: string[];
    try {
      names = (await readdir(join(templatesDir, group))).filter((n) => n.endsWith(TEMPLATE_SUFFIX)).sort();
    } catch {
      return out;
    }
    for (const name of names) {
      const display = `templates/${group}/${name}`;
      const full = join(templatesDir, group, name);
      const info = await lstat(full);
      if (info.isSymbolicLink()) {
        const target = await realpath(full).catch(() => null);
        if (target === null || !target.startsWith(realRoot + sep)) {
          problems.push(diag(display, 0, 'error', 'template/outside', 'this template links to a file outside templates/; it is not read'));
          continue;
        }
      } else if (!info.isFile()) continue;
      out[name.slice(0, -TEMPLATE_SUFFIX.length)] = {
        file: display,
        source: (await readFile(full, 'utf8')).replace(/\r\n?/g, '\n'),
      };
    }
    return out;
  };
  const sources = { layouts: await read('layouts'), partials: await read('partials') };
  if (problems.length > 0) throw new DiagnosticError(problems);
  validateTemplateSources(sources);
  return sources;
}
