import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { checkDatabaseFile, type TableRows } from './database-file.ts';

export interface Restored {
  tables: TableRows[];
  /** Where the database that was replaced was kept; null when there was none. */
  kept: string | null;
}

/**
 * Whether another connection (serve, a send, an import) has the database open: in WAL mode every connection holds a
 * share of its index, so an exclusive lock taken at once, without waiting, is refused while any other is open.
 */
function inUse(path: string): boolean {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    db.close();
  }
}

/**
 * Puts the backup `file` in place of the database at `path`: only an intact newsletter database of a schema this
 * version knows, only while nothing else has the database open, and keeping the current one, copied consistently
 * (its WAL included), as `<path>.before-restore-<time>`. The backup is written into the database through SQLite's
 * backup API, never by moving files under a WAL that could be replayed onto it.
 */
export async function restoreDatabase(path: string, file: string, now: Date = new Date()): Promise<Restored> {
  const check = checkDatabaseFile(file);
  if (!check.ok) throw new Error(`${file} ${check.reason}; nothing was changed`);
  let kept: string | null = null;
  if (existsSync(path)) {
    if (inUse(path)) throw new Error(`${path} is in use by another process (serve, a send?): stop it, then restore; nothing was changed`);
    kept = `${path}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    const current = new Database(path, { readonly: true, fileMustExist: true });
    try {
      await current.backup(kept);
    } finally {
      current.close();
    }
  }
  const backup = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await backup.backup(path);
  } finally {
    backup.close();
  }
  return { tables: check.tables, kept };
}
