import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes a set of files into one folder so that a crash never leaves a half-written file: each goes to a temporary
 * name first, and the renames happen only once all are written. Files are renamed in the given order; put the one
 * that marks the set complete (meta.json) last.
 */
export async function writeFilesAtomically(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const suffix = `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const names = Object.keys(files);
  try {
    await Promise.all(names.map((name) => writeFile(join(dir, name + suffix), files[name]!)));
    for (const name of names) await rename(join(dir, name + suffix), join(dir, name));
  } catch (error) {
    await Promise.all(names.map((name) => rm(join(dir, name + suffix), { force: true })));
    throw error;
  }
}
