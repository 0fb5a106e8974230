import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFilesAtomically } from './atomic-write.ts';

/**
 * Writes `dist/<slug>/email.html`, `email.txt`, `email.mjml`, `web.json` for a ready issue and, last, `meta.json`;
 * and the issue's web page, `dist/web/<slug>/index.html`, which a draft never has (an old one is removed).
 */
export async function writeIssueOutputs(
  outDir: string,
  slug: string,
  outputs: Record<string, string | Buffer>,
  webPage: string | null,
): Promise<void> {
  if (!('web.json' in outputs)) await rm(join(outDir, slug, 'web.json'), { force: true });
  await writeFilesAtomically(join(outDir, slug), outputs);
  if (webPage === null) await rm(join(outDir, 'web', slug), { recursive: true, force: true });
  else await writeFilesAtomically(join(outDir, 'web', slug), { 'index.html': webPage });
}
