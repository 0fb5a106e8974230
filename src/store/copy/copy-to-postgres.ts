import Database from 'better-sqlite3';
import type pg from 'pg';
import { COPIED_TABLES, type CopiedTable } from './copied-tables.ts';
import { MIGRATIONS } from '../migrations.ts';
import { migrate } from '../pg/pg-migrate.ts';

/** Rows sent to PostgreSQL per statement: large enough to be fast, small enough to keep memory flat. */
const BATCH = 5_000;

export interface CopyResult {
  tables: { table: string; rows: number }[];
}

export class CopyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyRefusedError';
  }
}

/**
 * Copies a SQLite database into an empty PostgreSQL one: every table in COPIED_TABLES, ids kept, in ONE
 * PostgreSQL transaction, read from one SQLite snapshot. Before it commits, each table's row count on PostgreSQL is
 * checked against SQLite's; any difference, or any error, rolls everything back, so the target is either a complete
 * copy or as empty as it was. A target holding any row of ours is refused. `alive` says whether a run of a send is
 * still going (a copy taken meanwhile would miss what it does next): such a run is refused too.
 */
export async function copyToPostgres(
  sqlitePath: string,
  client: pg.PoolClient,
  where: string,
  options: { alive: (run: { pid: number; host: string; heartbeatAt: number; endedAt: number | null }) => boolean; onTable?: (table: string, rows: number) => void },
): Promise<CopyResult> {
  const source = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    const version = source.pragma('user_version', { simple: true }) as number;
    if (version !== MIGRATIONS.length) {
      throw new CopyRefusedError(`${sqlitePath} is at schema version ${version}, not ${MIGRATIONS.length}: run any command on it first (it migrates), then copy`);
    }
    const running = source
      .prepare<[], { pid: number; host: string; heartbeat_at: number; ended_at: number | null }>('SELECT pid, host, heartbeat_at, ended_at FROM send_runs WHERE ended_at IS NULL')
      .all()
      .filter((r) => options.alive({ pid: r.pid, host: r.host, heartbeatAt: r.heartbeat_at, endedAt: r.ended_at }));
    if (running.length > 0) {
      const r = running[0]!;
      throw new CopyRefusedError(`a send is still running (pid ${r.pid} on ${r.host}); let it finish or pause it (Ctrl-C), then copy`);
    }
    await migrate(client, where);
    const tables: CopyResult['tables'] = [];
    await client.query('BEGIN');
    try {
      for (const t of COPIED_TABLES) {
        const { rows } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${t.table}) AS any`);
        if (rows[0]!.any) throw new CopyRefusedError(`${where} is not empty (${t.table} has rows): db copy only fills an empty database`);
      }
      // One read transaction: every table from the same moment.
      source.exec('BEGIN');
      try {
        for (const t of COPIED_TABLES) {
          const copied = await copyTable(source, client, t);
          options.onTable?.(t.table, copied);
          tables.push({ table: t.table, rows: copied });
        }
      } finally {
        source.exec('COMMIT');
      }
      for (const t of COPIED_TABLES) {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${t.table}`);
        const expected = tables.find((x) => x.table === t.table)!.rows;
        if (Number(rows[0]!.n) !== expected) throw new Error(`${t.table}: ${rows[0]!.n} rows on PostgreSQL, ${expected} in SQLite; nothing was copied`);
        if (t.identity) {
          // The next id continues after the copied ones; an empty table's sequence starts at 1.
          await client.query(`SELECT setval(pg_get_serial_sequence('${t.table}', '${t.identity}'), coalesce((SELECT max(${t.identity}) FROM ${t.table}), 0) + 1, false)`);
        }
      }
      await client.query('COMMIT');
      return { tables };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    source.close();
  }
}

/** One table across, in batches of one `INSERT … SELECT FROM unnest(…)` each; returns the rows copied. */
async function copyTable(source: Database.Database, client: pg.PoolClient, t: CopiedTable): Promise<number> {
  const names = t.columns.map(([name]) => name);
  const insert = `INSERT INTO ${t.table} (${names.join(', ')}) OVERRIDING SYSTEM VALUE SELECT * FROM unnest(${t.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;
  const read = source.prepare(`SELECT ${names.join(', ')} FROM ${t.table} ORDER BY ${t.orderBy}`).raw(true);
  let count = 0;
  let batch: unknown[][] = names.map(() => []);
  const flush = async () => {
    if (batch[0]!.length === 0) return;
    await client.query(insert, batch);
    batch = names.map(() => []);
  };
  for (const row of read.iterate() as IterableIterator<unknown[]>) {
    for (let i = 0; i < row.length; i++) batch[i]!.push(row[i]);
    if (++count % BATCH === 0) await flush();
  }
  await flush();
  return count;
}
