import { isPostgresUrl } from './database-path.ts';
import type { Status } from '../subscribers/subscriber.ts';

/** Rows in the main tables; null for a table this database's schema does not have (yet). */
export interface TableCounts {
  subscribers: Record<Status, number> | null;
  sends: number | null;
  deliveries: number | null;
}

/** Where a database stands against this code's schema, read without changing anything (`newsletter db status`). */
export interface DatabaseStatus {
  engine: 'sqlite' | 'postgres';
  /** The SQLite file, or PostgreSQL's host:port/database (never the password). */
  where: string;
  /** False only for a SQLite file not created yet; a PostgreSQL database that does not exist is an error instead. */
  exists: boolean;
  /** The database's schema version: 0 when it has none of the newsletter's tables. */
  version: number;
  /** The version this code's migrations reach. */
  known: number;
  counts: TableCounts;
}

/** The migrations `db migrate` would apply, by version: none when the schema is current, or newer than the code. */
export function pendingVersions(status: Pick<DatabaseStatus, 'version' | 'known'>): number[] {
  return Array.from({ length: Math.max(0, status.known - status.version) }, (_, i) => status.version + i + 1);
}

/**
 * The status of the database at `location` (a SQLite path or a PostgreSQL URL), read-only: a missing SQLite file is
 * not created, and no table is created on PostgreSQL.
 */
export async function databaseStatus(location: string): Promise<DatabaseStatus> {
  if (isPostgresUrl(location)) return (await import('./pg/pg-status.ts')).pgStatus(location);
  return (await import('./sqlite-status.ts')).sqliteStatus(location);
}
