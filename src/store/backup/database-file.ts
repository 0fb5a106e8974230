import Database from 'better-sqlite3';
import { MIGRATIONS } from '../migrations.ts';

/** One table of a database and its row count, as `db backup` and `db restore` report them. */
export interface TableRows {
  table: string;
  rows: number;
}

/** What a file holds when it is a newsletter database, or why it is not one. */
export type DatabaseCheck = { ok: true; version: number; tables: TableRows[] } | { ok: false; reason: string };

/** Every version's schema has these; a file without them is some other program's database. */
const CORE_TABLES = ['subscribers', 'subscriber_events'];

/** The tables a schema of the current version has, from the migrations themselves. */
export function currentTables(): string[] {
  const db = new Database(':memory:');
  try {
    for (const migration of MIGRATIONS) db.exec(migration);
    return tableNames(db);
  } finally {
    db.close();
  }
}

function tableNames(db: Database.Database): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
  return rows.map((r) => r.name);
}

/** Row counts per table, in name order. */
export function countRows(db: Database.Database): TableRows[] {
  return tableNames(db).map((table) => ({ table, rows: (db.prepare(`SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}"`).get() as { n: number }).n }));
}

/**
 * Opens `path` read-only and checks it is an intact newsletter database this version can use: SQLite's
 * integrity_check, the core tables, and a schema version no newer than this code's (an older one is upgraded when
 * it is next opened, as always).
 */
export function checkDatabaseFile(path: string): DatabaseCheck {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    return { ok: false, reason: `cannot be opened as a SQLite database (${(error as Error).message})` };
  }
  try {
    let integrity: unknown;
    try {
      integrity = db.pragma('integrity_check', { simple: true });
    } catch (error) {
      return { ok: false, reason: `is not a SQLite database (${(error as Error).message})` };
    }
    if (integrity !== 'ok') return { ok: false, reason: `fails SQLite's integrity check: ${String(integrity)}` };
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = tableNames(db);
    const missing = CORE_TABLES.filter((t) => !tables.includes(t));
    if (version === 0 || missing.length > 0) return { ok: false, reason: `is not a newsletter database (no ${missing.join(' or ') || 'schema version'})` };
    if (version > MIGRATIONS.length) {
      return { ok: false, reason: `was made by a newer version of newsletter (schema ${version}; this one knows up to ${MIGRATIONS.length}): upgrade first` };
    }
    return { ok: true, version, tables: countRows(db) };
  } finally {
    db.close();
  }
}
