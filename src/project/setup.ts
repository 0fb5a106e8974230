import { parseConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { Diagnostic } from '../core/diagnostic.ts';
import type { TemplateSources } from '../render/template-sources.ts';
import { TemplateSet } from '../render/templates.ts';

/** What every renderer (main thread or worker) needs; plain data, so it crosses to workers as is. */
export interface BuildSources {
  /** The project root, absolute: where local images are copied from. */
  root: string;
  configText: string | null;
  templates: TemplateSources;
  /** Project paths of the files under `issues/` other than issues: the local images an issue may use. */
  issueFiles: string[];
  /** Symbolic links under `issues/`: never followed, so never among `issueFiles`; listed to warn about them. */
  issueLinks?: string[];
}

export interface BuildSetup {
  sources: BuildSources;
  config: Config;
  templates: TemplateSet;
  files: ReadonlySet<string>;
}

export interface WorkItem {
  file: string;
  source: string;
  outDir: string;
}

export interface WorkResult {
  file: string;
  slug: string | null;
  ok: boolean;
  diagnostics: Diagnostic[];
  /** Set when rendering threw: a bug, reported as such rather than as the writer's mistake. */
  crash?: string;
}

export function setupFromSources(sources: BuildSources): BuildSetup {
  return {
    sources,
    config: parseConfig(sources.configText ?? ''),
    templates: new TemplateSet(sources.templates),
    files: new Set(sources.issueFiles),
  };
}
