import { isPostgresUrl } from './database-path.ts';

/** What `newsletter db migrate` did, and where. */
export interface MigrationReport {
  engine: 'sqlite' | 'postgres';
  /** The SQLite file, or PostgreSQL's host:port/database (never the password). */
  where: string;
  from: number;
  to: number;
}

/**
 * Applies the migrations the database at `location` lacks, under the engine's lock (SQLite's write lock, PostgreSQL's
 * advisory lock), creating a missing SQLite file. A schema newer than the code is refused (SchemaTooNewError, or a
 * PgConnectError saying so), nothing changed.
 */
export async function migrateDatabaseAt(location: string): Promise<MigrationReport> {
  if (isPostgresUrl(location)) {
    const { migratePg } = await import('./pg/pg-connect.ts');
    const { describePgUrl } = await import('./pg/pg-pool.ts');
    return { engine: 'postgres', where: describePgUrl(location), ...(await migratePg(location)) };
  }
  const { openDatabaseMigrating } = await import('./open.ts');
  const { db, migrated } = openDatabaseMigrating(location);
  db.close();
  return { engine: 'sqlite', where: location, ...migrated };
}
