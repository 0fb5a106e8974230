import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CONFIG_FILE } from '../config/config-file.ts';
import { diag, type Diagnostic } from '../core/diagnostic.ts';
import { SYMLINK_REFUSED } from '../core/read-no-follow.ts';
import { readTextFile } from '../core/read-text.ts';
import { loadTemplateSources } from '../render/load-templates.ts';
import type { BuildSources } from './setup.ts';

/** The issue files of a project, as project paths (`issues/<name>.md`), sorted; none when `issues/` is missing. */
export async function listIssueFiles(root: string): Promise<string[]> {
  try {
    const names = await readdir(join(root, 'issues'));
    return names.filter((n) => n.endsWith('.md')).sort().map((n) => `issues/${n}`);
  } catch {
    return [];
  }
}

/**
 * Files under `issues/` that are not issues (images), as project paths; hidden files are skipped, and symbolic links
 * (to files or folders) are never followed: they are listed apart, so that commands can say why they go unused.
 */
export async function listIssueAssets(root: string): Promise<{ files: string[]; links: string[] }> {
  const files: string[] = [];
  const links: string[] = [];
  const walk = async (dir: string, rel: string) => {
    const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.name.startsWith('.') || (rel === '' && e.name.endsWith('.md'))) continue;
      if (e.isSymbolicLink()) links.push(`issues/${rel}${e.name}`);
      else if (e.isDirectory()) await walk(join(dir, e.name), `${rel}${e.name}/`);
      else if (e.isFile()) files.push(`issues/${rel}${e.name}`);
    }
  };
  await walk('issues', '');
  return { files: files.sort(), links: links.sort() };
}

/** A warning for each symbolic link under `issues/`: issues cannot use what it points at. */
export function linkWarnings(sources: BuildSources): Diagnostic[] {
  return (sources.issueLinks ?? []).map((file) => diag(file, 0, 'warning', 'build/symlink', `${file} ${SYMLINK_REFUSED}; issues cannot use it`));
}

/** Config text, template files and the images beside the issues: everything besides an issue that decides its output. */
export async function readBuildSources(root: string): Promise<BuildSources> {
  const configText = await readTextFile(join(root, CONFIG_FILE), CONFIG_FILE).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  const assets = await listIssueAssets(root);
  return { root: resolve(root), configText, templates: await loadTemplateSources(root), issueFiles: assets.files, issueLinks: assets.links };
}
