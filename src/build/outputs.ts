import { join } from 'node:path';
import { writeFilesAtomically } from './atomic-write.ts';

/** Writes `dist/<slug>/email.html`, `email.txt`, `email.mjml` and, last, `meta.json`. */
export async function writeIssueOutputs(outDir: string, slug: string, outputs: Record<string, string | Buffer>): Promise<void> {
  await writeFilesAtomically(join(outDir, slug), outputs);
}
