import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';
import { SchemaTooNewError } from './schema-too-new.ts';

export { SchemaTooNewError } from './schema-too-new.ts';

export type Db = Database.Database;

/** Milliseconds a writer waits for another connection's lock before giving up with a clear error. */
export const BUSY_TIMEOUT_MS = 5000;

/** Thrown when another process holds the database's write lock for longer than the busy timeout. */
export class DatabaseBusyError extends Error {
  constructor(waitedMs: number = BUSY_TIMEOUT_MS) {
    super(`the subscriber database is busy: another process held its write lock for over ${waitedMs / 1000} s; nothing was changed, try again`);
    this.name = 'DatabaseBusyError';
  }
}


/** Runs `work` in one transaction; a lock held elsewhere becomes a DatabaseBusyError, after the busy timeout. */
export function transaction<T>(db: Db, work: () => T): T {
  try {
    return db.transaction(work).immediate();
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseBusyError();
    throw error;
  }
}

/**
 * Opens (creating if needed) the subscriber database: WAL so readers never block the writer, synchronous=FULL so a
 * change reported done survives a power cut, foreign keys on, a busy timeout, and every migration applied; a schema
 * newer than this code (a database written by a later version) is refused, unchanged.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new SchemaTooNewError(path, version, MIGRATIONS.length);
  }
  if (version < MIGRATIONS.length) {
    transaction(db, () => {
      for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${MIGRATIONS.length}`);
    });
  }
  return db;
}
