/**
 * The PostgreSQL server a benchmark measures: NEWSLETTER_BENCH_PG when set, else a throwaway server of its own
 * (scripts/pg-throwaway.sh with PG_THROWAWAY_DURABLE=1: fsync and synchronous_commit on, a commit's real cost).
 * Each figure gets a fresh database, dropped when the benchmark stops. No PostgreSQL installed: a reason to skip.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { migrate } from '../src/store/pg/pg-migrate.ts';
import { describePgUrl, openPool } from '../src/store/pg/pg-pool.ts';

const root = resolve(import.meta.dirname, '..');

export interface BenchPg {
  /** Where the server came from and how it is set (fsync, synchronous_commit, full_page_writes), for the report. */
  description: string;
  /** A URL for a new, empty database on the server. */
  fresh(): Promise<string>;
  /** Drops the databases made here and stops a throwaway server. */
  stop(): Promise<void>;
}

async function onAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The server, or why there is none. */
export async function benchPgServer(): Promise<BenchPg | { skip: string }> {
  let admin = process.env.NEWSLETTER_BENCH_PG ?? '';
  let throwaway = '';
  const script = join(root, 'scripts/pg-throwaway.sh');
  if (!admin) {
    const run = spawnSync('bash', [script, 'start'], { encoding: 'utf8', env: { ...process.env, PG_THROWAWAY_DURABLE: '1' } });
    if (run.status !== 0) return { skip: `no PostgreSQL server: ${run.stderr.trim().split('\n')[0] || `pg-throwaway.sh exited ${run.status}`}; set NEWSLETTER_BENCH_PG to use one` };
    throwaway = /PG_THROWAWAY_DIR=(\S+)/.exec(run.stdout)?.[1] ?? '';
    admin = /NEWSLETTER_TEST_PG=(\S+)/.exec(run.stdout)?.[1] ?? '';
  }
  const made: string[] = [];
  const stop = async () => {
    if (throwaway) spawnSync('bash', [script, 'stop', throwaway], { stdio: 'ignore' });
    else await onAdmin(admin, async (c) => {
      for (const name of made) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  };
  try {
    const settings = await onAdmin(admin, (c) =>
      c.query<{ name: string; setting: string; version: string }>(
        `SELECT name, setting, current_setting('server_version') AS version FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers') ORDER BY name`,
      ),
    );
    const source = throwaway ? 'a throwaway server (scripts/pg-throwaway.sh, PG_THROWAWAY_DURABLE=1)' : `NEWSLETTER_BENCH_PG (${describePgUrl(admin)})`;
    return {
      description: `PostgreSQL ${settings.rows[0]?.version ?? '?'} on ${source}: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(', ')}`,
      fresh: async () => {
        const name = `newsletter_bench_${randomBytes(6).toString('hex')}`;
        await onAdmin(admin, (c) => c.query(`CREATE DATABASE ${name}`));
        made.push(name);
        const url = new URL(admin);
        url.pathname = `/${name}`;
        return url.toString();
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    return { skip: `the PostgreSQL server did not answer: ${(error as Error).message}` };
  }
}

/** A pool on `url` with the schema applied. */
export async function migratedPool(url: string): Promise<pg.Pool> {
  const pool = openPool(url, { max: 8 });
  const client = await pool.connect();
  try {
    await migrate(client, url);
  } finally {
    client.release();
  }
  return pool;
}

/** The server's WAL position now (pg_current_wal_lsn): the whole server's, so nothing else should be writing. */
export async function walPosition(pool: pg.Pool): Promise<string> {
  return (await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
}

/** WAL bytes written since `from` (pg_wal_lsn_diff). */
export async function walSince(pool: pg.Pool, from: string): Promise<number> {
  return Number((await pool.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS bytes', [from])).rows[0]!.bytes);
}

/** A table's own size and its indexes' (pg_relation_size, pg_indexes_size), in bytes. */
export async function tableSizes(pool: pg.Pool, table: string): Promise<{ table: number; indexes: number }> {
  const { rows } = await pool.query<{ t: string; i: string }>('SELECT pg_relation_size($1::regclass)::text AS t, pg_indexes_size($1::regclass)::text AS i', [table]);
  return { table: Number(rows[0]!.t), indexes: Number(rows[0]!.i) };
}
