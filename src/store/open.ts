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

/** A file that SQLite cannot read as a database, said with its path. */
export class NotADatabaseError extends Error {
  constructor(path: string, detail: string) {
    super(`${path} is not a SQLite database (${detail}); is NEWSLETTER_DB right?`);
    this.name = 'NotADatabaseError';
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

/** What a migration did: the schema version before and after (equal when there was nothing to do). */
export interface Migrated {
  from: number;
  to: number;
}

/**
 * Applies the migrations `db` lacks, under the write lock (BEGIN IMMEDIATE), reading the version only once the lock
 * is held: two processes opening a new file at once never both migrate; the second waits, then finds nothing to do.
 * A schema newer than this code is refused before anything is written.
 */
export function migrateDatabase(db: Db, where: string): Migrated {
  const known = MIGRATIONS.length;
  const before = db.pragma('user_version', { simple: true }) as number;
  if (before > known) throw new SchemaTooNewError(where, before, known);
  if (before === known) return { from: before, to: before };
  return transaction(db, () => {
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from > known) throw new SchemaTooNewError(where, from, known);
    for (let v = from; v < known; v++) db.exec(MIGRATIONS[v]!);
    if (from < known) db.pragma(`user_version = ${known}`);
    return { from, to: known };
  });
}

/**
 * Opens (creating if needed) the subscriber database: WAL so readers never block the writer, synchronous=FULL so a
 * change reported done survives a power cut, foreign keys on, a busy timeout, and every migration applied. A schema
 * newer than this code (a database written by a later version) is refused before WAL is set, so the file is
 * unchanged. Returns what the migration did, for `db migrate`.
 */
export function openDatabaseMigrating(path: string): { db: Db; migrated: Migrated } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new SchemaTooNewError(path, version, MIGRATIONS.length);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return { db, migrated: migrateDatabase(db, path) };
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseBusyError();
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') throw new NotADatabaseError(path, (error as Error).message);
    throw error;
  }
}

/** The same, for everything but `db migrate`: the connection alone. */
export function openDatabase(path: string): Db {
  return openDatabaseMigrating(path).db;
}
