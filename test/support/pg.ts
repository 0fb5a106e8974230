import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { migrate } from '../../src/store/pg/pg-migrate.ts';
import { openPool } from '../../src/store/pg/pg-pool.ts';

/**
 * The PostgreSQL tests run when NEWSLETTER_TEST_PG holds a server URL (`.ci/run` starts a throwaway server:
 * scripts/pg-throwaway.sh); each gets a database of its own, created here and dropped when the test ends.
 */
export const TEST_PG = process.env.NEWSLETTER_TEST_PG ?? '';

/** For `describe`/`test` options: skipped, saying why, on a machine with no PostgreSQL. */
export const needsPg = TEST_PG ? {} : { skip: 'NEWSLETTER_TEST_PG is not set (see the README: PostgreSQL tests)' };

/** A URL for a new, empty database on the test server, dropped (connections and all) when `t` ends. */
export async function freshPgDatabase(t: Pick<TestContext, 'after'>): Promise<string> {
  if (!TEST_PG) throw new Error('NEWSLETTER_TEST_PG is not set');
  const name = `newsletter_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  t.after(async () => {
    const drop = new pg.Client({ connectionString: TEST_PG });
    await drop.connect();
    try {
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await drop.end();
    }
  });
  const url = new URL(TEST_PG);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh database with the schema applied, and a pool on it that is closed when `t` ends. */
export async function freshPgPool(t: Pick<TestContext, 'after'>): Promise<{ url: string; pool: pg.Pool }> {
  const url = await freshPgDatabase(t);
  const pool = openPool(url, { max: 8 });
  // Whichever runs first, the drop ends any connection still open (WITH (FORCE)).
  t.after(() => pool.end());
  const client = await pool.connect();
  try {
    await migrate(client, url);
  } finally {
    client.release();
  }
  return { url, pool };
}
