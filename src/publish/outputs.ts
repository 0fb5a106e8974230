import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { readFileNoFollow } from '../core/read-no-follow.ts';
import type { Asset } from '../render/local-images.ts';
import { writeFilesAtomically } from '../core/atomic-write.ts';

/**
 * Writes `dist/<slug>/email.html`, `email.txt`, `email.mjml`, `web.json` and `web-content.html` for a ready issue
 * and, last, `meta.json`;
 * and the issue's web page, `dist/web/<slug>/index.html`, which a draft never has (an old one is removed).
 */
export async function writeIssueOutputs(
  outDir: string,
  slug: string,
  outputs: Record<string, string | Buffer>,
  webPage: string | null,
  assets: readonly Asset[],
  root: string,
): Promise<void> {
  if (!('web.json' in outputs)) {
    await rm(join(outDir, slug, 'web.json'), { force: true });
    await rm(join(outDir, slug, 'web-content.html'), { force: true });
  }
  await writeFilesAtomically(join(outDir, slug), outputs);
  if (webPage === null) {
    await rm(join(outDir, 'web', slug), { recursive: true, force: true });
    return;
  }
  // The local images first, so the page never points at a file not yet there. Read without following a link: one
  // swapped in after the listing (which leaves links out) must not publish the file it points at.
  for (const asset of assets) {
    const target = join(outDir, 'web', slug, asset.to);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await readFileNoFollow(join(root, asset.from)));
  }
  await writeFilesAtomically(join(outDir, 'web', slug), { 'index.html': webPage });
  // Then the images the page no longer uses go, so dist/web holds only what the site serves.
  await prune(join(outDir, 'web', slug), new Set(['index.html', ...assets.map((a) => a.to)]));
}

/** Removes files under `dir` not in `keep` (paths relative to it, with `/`), and the folders that leaves empty. */
async function prune(dir: string, keep: ReadonlySet<string>): Promise<void> {
  const walk = async (folder: string): Promise<boolean> => {
    let empty = true;
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (await walk(path)) await rmdir(path);
        else empty = false;
      } else if (keep.has(relative(dir, path).split(sep).join('/'))) {
        empty = false;
      } else {
        await rm(path, { force: true });
      }
    }
    return empty;
  };
  await walk(dir);
}
