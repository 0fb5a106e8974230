import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { writeFilesAtomically } from '../build/atomic-write.ts';
import type { TemplateSet } from '../render/templates.ts';
import { archivePages, atomFeed, sitemap, type WebEntry } from './site.ts';

/**
 * Writes the archive index (paginated), `feed.xml` and `sitemap.xml` into `<out>/web/` from the `web.json` of every
 * issue built, rewriting only the files whose content changed. Returns the paths written.
 */
export async function writeSite(outDir: string, slugs: readonly string[], config: Config, templates: TemplateSet): Promise<string[]> {
  const entries: WebEntry[] = [];
  for (const slug of slugs) {
    const text = await readFile(join(outDir, slug, 'web.json'), 'utf8').catch(() => null);
    if (text !== null) entries.push(JSON.parse(text) as WebEntry);
  }
  const files: Record<string, string> = {
    ...archivePages(entries, config, templates),
    'feed.xml': atomFeed(entries, config),
    'sitemap.xml': sitemap(entries, config),
  };
  const written: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    const full = join(outDir, 'web', path);
    if ((await readFile(full, 'utf8').catch(() => null)) === content) continue;
    await writeFilesAtomically(dirname(full), { [basename(full)]: content });
    written.push(path);
  }
  // Pages past the last one, left from a longer archive, go.
  const pages = await readdir(join(outDir, 'web', 'page')).catch(() => [] as string[]);
  for (const page of pages) {
    if (!(`page/${page}/index.html` in files)) await rm(join(outDir, 'web', 'page', page), { recursive: true, force: true });
  }
  return written;
}
