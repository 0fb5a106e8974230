import { STATUSES, type Status } from '../../subscribers/subscriber.ts';
import type { DatabaseStatus, TableCounts } from '../database-status.ts';
import { connectPg } from './pg-connect.ts';
import { PgConnectError, describePgFailure } from './pg-errors.ts';
import { schemaVersion } from './pg-migrate.ts';
import { describePgUrl } from './pg-pool.ts';
import { PG_MIGRATIONS } from './schema.ts';

/**
 * The PostgreSQL database's status, in one read-only transaction (so the counts agree with each other and nothing
 * can be written): no table is created, a missing schema is reported as version 0.
 */
export async function pgStatus(url: string): Promise<DatabaseStatus> {
  const pool = await connectPg(url, { max: 1, applicationName: 'newsletter db status', migrate: false });
  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const version = await schemaVersion(client);
      const { rows } = await client.query<{ name: string }>(
        `SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NOT NULL`,
        [['subscribers', 'sends', 'deliveries']],
      );
      const tables = new Set(rows.map((r) => r.name));
      const count = async (table: string) => (tables.has(table) ? (await client.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${table}`)).rows[0]!.n : null);
      let subscribers: Record<Status, number> | null = null;
      if (tables.has('subscribers')) {
        subscribers = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
        const byStatus = await client.query<{ status: Status; n: number }>('SELECT status, count(*)::bigint AS n FROM subscribers GROUP BY status');
        for (const row of byStatus.rows) subscribers[row.status] = row.n;
      }
      const counts: TableCounts = { subscribers, sends: await count('sends'), deliveries: await count('deliveries') };
      await client.query('COMMIT');
      return { engine: 'postgres', where: describePgUrl(url), exists: true, version, known: PG_MIGRATIONS.length, counts };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  } catch (error) {
    throw error instanceof PgConnectError ? error : new PgConnectError(describePgFailure(error, url));
  } finally {
    await pool.end().catch(() => {});
  }
}
