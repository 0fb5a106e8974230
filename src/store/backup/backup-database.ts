import { existsSync, linkSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { checkDatabaseFile, type TableRows } from './database-file.ts';

/**
 * An online, consistent copy of the database at `source` into the new file `target`, with SQLite's backup API: it
 * may run while `serve` or a send writes (their writes wait a moment, or the copy restarts past them), and it holds
 * every transaction committed before it finished. Written under a temporary name beside `target`, checked, then
 * linked into place, so `target` is either whole or absent, and an existing file is never overwritten.
 */
export async function backupDatabase(source: string, target: string): Promise<TableRows[]> {
  if (!existsSync(source)) throw new Error(`there is no database at ${source} to back up`);
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new name (a backup never overwrites a file)`);
  if (!existsSync(dirname(target))) throw new Error(`the folder ${dirname(target)} does not exist`);
  const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(partial);
    // One self-contained file: the copy keeps the source's WAL mode, whose -wal and -shm files would travel with it.
    const copy = new Database(partial);
    copy.pragma('journal_mode = DELETE');
    copy.close();
    const check = checkDatabaseFile(partial);
    if (!check.ok) throw new Error(`the copy ${check.reason}; nothing was written`);
    // link() fails when target exists: a file made meanwhile by someone else is not overwritten either.
    linkSync(partial, target);
    return check.tables;
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${partial}${suffix}`, { force: true });
  }
}
