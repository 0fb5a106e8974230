import type { Diagnostic } from '../core/diagnostic.ts';
import { compatDiagnostics } from '../checks/compat.ts';
import { templateFeatures } from '../checks/template-features.ts';
import type { TemplateSet } from './templates.ts';

const cache = new WeakMap<TemplateSet, Map<string, Diagnostic[]>>();

/**
 * Client-compatibility diagnostics for the writer's own HTML and CSS in a layout and the partials, computed once
 * per template set and layout.
 */
export function templateCompat(templates: TemplateSet, layout: string): Diagnostic[] {
  let byLayout = cache.get(templates);
  if (!byLayout) cache.set(templates, (byLayout = new Map()));
  let found = byLayout.get(layout);
  if (!found) {
    const file = templates.layoutFile(layout);
    const files = [...(file ? [file] : []), ...Object.values(templates.sources.partials)];
    found = files.flatMap((t) => compatDiagnostics(t.file, templateFeatures(t.source)));
    byLayout.set(layout, found);
  }
  return found;
}
