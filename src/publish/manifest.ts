import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../core/diagnostic.ts';
import { writeFilesAtomically } from '../core/atomic-write.ts';

/** Bumped when the renderer's output changes, so old builds are not mistaken for current ones. */
export const RENDERER_VERSION = '1';

export const MANIFEST_FILE = '.build-manifest.json';

export interface ManifestEntry {
  hash: string;
  slug: string;
  diagnostics: Diagnostic[];
}

export interface Manifest {
  version: string;
  entries: Record<string, ManifestEntry>;
}

export function sha256(...parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The last build's record of what it rendered from which content; a missing or foreign manifest means "none". */
export async function readManifest(outDir: string): Promise<Manifest> {
  try {
    const data = JSON.parse(await readFile(join(outDir, MANIFEST_FILE), 'utf8')) as Manifest;
    if (data.version === RENDERER_VERSION && data.entries && typeof data.entries === 'object') return data;
  } catch {
    // No manifest yet, or an unreadable one: rebuild everything.
  }
  return { version: RENDERER_VERSION, entries: {} };
}

export async function writeManifest(outDir: string, manifest: Manifest): Promise<void> {
  await writeFilesAtomically(outDir, { [MANIFEST_FILE]: `${JSON.stringify(manifest)}\n` });
}
