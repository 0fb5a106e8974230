import type pg from 'pg';
import { PgConnectError, describePgFailure } from './pg-errors.ts';
import { migrate } from './pg-migrate.ts';
import { describePgUrl, openPool, type PoolOptions } from './pg-pool.ts';

/**
 * Opens a pool on `url` and makes sure the schema is there: migrated under its advisory lock (pg-migrate.ts), or,
 * with `migrate: false`, only checked. Any failure (unreachable, refused, missing database, schema too new) closes
 * the pool and throws a PgConnectError with one line naming host, port and database; nothing is half-written, since
 * a migration is one transaction.
 */
export async function connectPg(url: string, options: PoolOptions & { migrate?: boolean } = {}): Promise<pg.Pool> {
  const pool = openPool(url, options);
  try {
    const client = await pool.connect();
    try {
      if (options.migrate !== false) await migrate(client, describePgUrl(url));
    } finally {
      client.release();
    }
    return pool;
  } catch (error) {
    await pool.end().catch(() => {});
    throw new PgConnectError(describePgFailure(error, url));
  }
}

/**
 * `db migrate` on PostgreSQL: the migrations the database lacks, under the advisory lock (pg-migrate.ts), on one
 * connection that is closed afterwards. Returns the versions before and after; failures as connectPg's.
 */
export async function migratePg(url: string): Promise<{ from: number; to: number }> {
  const pool = openPool(url, { max: 1, applicationName: 'newsletter db migrate' });
  try {
    const client = await pool.connect();
    try {
      return await migrate(client, describePgUrl(url));
    } finally {
      client.release();
    }
  } catch (error) {
    throw new PgConnectError(describePgFailure(error, url));
  } finally {
    await pool.end().catch(() => {});
  }
}
