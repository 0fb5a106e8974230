import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { writeFilesAtomically } from '../core/atomic-write.ts';
import type { TemplateSet } from '../render/templates.ts';
import { archivePages, atomFeed, FEED_SIZE, listed, sitemap, type WebEntry, type WebEntryMeta } from './site.ts';

/**
 * Writes the archive index (paginated), `feed.xml` and `sitemap.xml` into `<out>/web/` from the `web.json` of every
 * issue built, rewriting only the files whose content changed. Returns the paths written.
 */
export async function writeSite(outDir: string, slugs: readonly string[], config: Config, templates: TemplateSet): Promise<string[]> {
  const entries: WebEntryMeta[] = [];
  for (const slug of slugs) {
    // Synchronous on purpose: hundreds of small reads awaited one by one cost far more (see build.ts).
    let text: string;
    try {
      text = readFileSync(join(outDir, slug, 'web.json'), 'utf8');
    } catch {
      continue; // a draft, or an issue that failed: not published
    }
    entries.push(JSON.parse(text) as WebEntryMeta);
  }
  // Only the feed's issues need their content read.
  const latest: WebEntry[] = [];
  for (const entry of listed(entries).slice(0, FEED_SIZE)) {
    latest.push({ ...entry, content: await readFile(join(outDir, entry.slug, 'web-content.html'), 'utf8').catch(() => '') });
  }
  const files: Record<string, string> = {
    ...archivePages(entries, config, templates),
    'feed.xml': atomFeed(latest, config),
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
