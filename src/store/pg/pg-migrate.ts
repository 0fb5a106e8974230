import type { PoolClient } from 'pg';
import { SchemaTooNewError } from '../schema-too-new.ts';
import { PG_MIGRATIONS } from './schema.ts';

export { SchemaTooNewError } from '../schema-too-new.ts';

/** Any fixed number, the same in every process: two processes migrating at once queue on it (tests hold it too). */
export const MIGRATION_LOCK = 0x6e6c6574; // 'nlet'


/** The schema version a database has reached: 0 when it has none of ours. */
export async function schemaVersion(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass('schema_version') IS NOT NULL AS exists`);
  if (!rows[0]!.exists) return 0;
  const version = await client.query<{ version: number }>('SELECT version FROM schema_version');
  return version.rows[0]?.version ?? 0;
}

/**
 * Applies every migration the database lacks, in one transaction under a transaction-scoped advisory lock, so that
 * two processes starting at once never race: the second waits, then finds nothing left to do. A schema newer than
 * this code is refused before anything is written. Returns the versions before and after.
 */
export async function migrate(client: PoolClient, where: string): Promise<{ from: number; to: number }> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const from = await schemaVersion(client);
    if (from > PG_MIGRATIONS.length) throw new SchemaTooNewError(where, from, PG_MIGRATIONS.length);
    for (let v = from; v < PG_MIGRATIONS.length; v++) await client.query(PG_MIGRATIONS[v]!);
    if (from === 0) await client.query('INSERT INTO schema_version (version) VALUES ($1)', [PG_MIGRATIONS.length]);
    else if (from < PG_MIGRATIONS.length) await client.query('UPDATE schema_version SET version = $1', [PG_MIGRATIONS.length]);
    await client.query('COMMIT');
    return { from, to: Math.max(from, PG_MIGRATIONS.length) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
