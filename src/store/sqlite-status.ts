import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { STATUSES, type Status } from '../subscribers/subscriber.ts';
import type { DatabaseStatus, TableCounts } from './database-status.ts';
import { MIGRATIONS } from './migrations.ts';
import { NotADatabaseError } from './open.ts';

/** Counts in one read transaction, so that they agree with each other while a send writes. */
function countTables(db: Database.Database): TableCounts {
  const tables = new Set(db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`).all().map((r) => r.name));
  const count = (table: string) => (tables.has(table) ? db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n : null);
  let subscribers: Record<Status, number> | null = null;
  if (tables.has('subscribers')) {
    subscribers = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    for (const row of db.prepare<[], { status: Status; n: number }>('SELECT status, count(*) AS n FROM subscribers GROUP BY status').all()) subscribers[row.status] = row.n;
  }
  return { subscribers, sends: count('sends'), deliveries: count('deliveries') };
}

/** The SQLite file's status, opened read-only; a missing file is reported, never created. */
export function sqliteStatus(path: string): DatabaseStatus {
  const none: TableCounts = { subscribers: null, sends: null, deliveries: null };
  const base = { engine: 'sqlite' as const, where: path, known: MIGRATIONS.length };
  if (path === ':memory:' || !existsSync(path)) return { ...base, exists: false, version: 0, counts: none };
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      return { ...base, exists: true, version, counts: db.transaction(() => countTables(db))() };
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_NOTADB') throw new NotADatabaseError(path, (error as Error).message);
      throw error;
    }
  } finally {
    db.close();
  }
}
