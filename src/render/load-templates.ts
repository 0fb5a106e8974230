import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { decodeText, encodingDiagnostic } from '../core/decode-text.ts';
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
  const read = async (group: 'layouts' | 'partials' | 'web', suffix = TEMPLATE_SUFFIX): Promise<Record<string, TemplateFile>> => {
    const out: Record<string, TemplateFile> = {};
    let names: string[];
    try {
      // The folder itself may be a symlink: its files count as inside only if the folder really is.
      const real = await realpath(join(templatesDir, group));
      if (!real.startsWith(realRoot + sep)) {
        problems.push(diag(`templates/${group}`, 0, 'error', 'template/outside', `templates/${group} links to a folder outside templates/; it is not read`));
        return out;
      }
      names = (await readdir(join(templatesDir, group))).filter((n) => n.endsWith(suffix)).sort();
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
        // Like a real folder or device, a link to one is not a template (reading it fails or never returns).
        if (!(await stat(full)).isFile()) continue;
      } else if (!info.isFile()) continue;
      let bytes: Buffer;
      try {
        bytes = await readFile(full);
      } catch (error) {
        // Node's own message carries the absolute path; the code says enough.
        problems.push(diag(display, 0, 'error', 'template/unreadable', `cannot read this template (${(error as NodeJS.ErrnoException).code ?? 'error'})`));
        continue;
      }
      const decoded = decodeText(bytes, display);
      if (!decoded.ok) {
        problems.push(encodingDiagnostic(display, decoded.problem));
        continue;
      }
      out[name.slice(0, -suffix.length)] = { file: display, source: decoded.text.replace(/\r\n?/g, '\n') };
    }
    return out;
  };
  const sources = { layouts: await read('layouts'), partials: await read('partials'), web: await read('web', '.hbs') };
  if (problems.length > 0) throw new DiagnosticError(problems);
  validateTemplateSources(sources);
  return sources;
}
