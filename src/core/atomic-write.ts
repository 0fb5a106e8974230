import { copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Keeps the current version of `path` at `backup` (a hard link, or a copy where links are unsupported); false if none. */
async function keepPrevious(path: string, backup: string): Promise<boolean> {
  try {
    await link(path, backup);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    // No hard links on this file system, or something other than a file in the way (then the copy fails too).
    await copyFile(path, backup);
    return true;
  }
}

/** Like Promise.all, but settles every promise before failing, so cleanup never races a write still under way. */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Writes a set of files into one folder so that a crash never leaves a half-written file: each goes to a temporary
 * name first, and the renames happen only once all are written. Files are renamed in the given order; put the one
 * that marks the set complete (meta.json) last. When a write or rename fails, the files of the set already replaced
 * get their previous versions back, so the folder never mixes old and new files.
 */
export async function writeFilesAtomically(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const suffix = `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const names = Object.keys(files);
  const temp = (name: string) => join(dir, name + suffix);
  const backup = (name: string) => join(dir, `${name}${suffix}-old`);
  const kept = new Set<string>();
  const replaced: string[] = [];
  try {
    await settleAll(names.map((name) => writeFile(temp(name), files[name]!)));
    await settleAll(
      names.map(async (name) => {
        if (await keepPrevious(join(dir, name), backup(name))) kept.add(name);
      }),
    );
    for (const name of names) {
      await rename(temp(name), join(dir, name));
      replaced.push(name);
    }
  } catch (error) {
    for (const name of replaced) {
      if (kept.has(name)) await rename(backup(name), join(dir, name)).catch(() => undefined);
      else await rm(join(dir, name), { force: true });
    }
    await Promise.all(names.map((name) => rm(temp(name), { force: true })));
    throw error;
  } finally {
    await Promise.all([...kept].map((name) => rm(backup(name), { force: true })));
  }
}
