/**
 * Planning a send on either engine, for the benchmarks: subscribers seeded in one statement (no import path, so the
 * figure is the plan's alone), then the ledger freezing one delivery row per active subscriber.
 */
import type pg from 'pg';
import type { Ledger } from '../src/store/ledger/ledger.ts';
import type { NewSend } from '../src/store/ledger/records.ts';
import type { Db } from '../src/store/open.ts';

export const BENCH_SEND: NewSend = { slug: 'bench', issueFile: 'issues/bench.md', subject: 'Bench', sourceHash: 'h', html: '<p>x</p>', text: 'x', placeholderPrefix: 'nlmerge0' };

const SEED_PG = `INSERT INTO subscribers (email, email_normalized, name, status, source, created_at, token_key)
  SELECT 'r' || i || '@example.org', 'r' || i || '@example.org', 'Reader ' || i, 'active', 'bench', '2026-01-01T00:00:00.000Z', md5(i::text)
  FROM generate_series(1, $1::int) i`;
const SEED_SQLITE = `INSERT INTO subscribers (email, email_normalized, name, status, source, created_at, token_key)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
  SELECT 'r' || i || '@example.org', 'r' || i || '@example.org', 'Reader ' || i, 'active', 'bench', '2026-01-01T00:00:00.000Z', lower(hex(randomblob(16))) FROM n`;

/** `count` active subscribers r1@example.org…; seconds taken. */
export async function seedPg(pool: pg.Pool, count: number): Promise<number> {
  const t0 = performance.now();
  await pool.query(SEED_PG, [count]);
  await pool.query('ANALYZE subscribers');
  return (performance.now() - t0) / 1000;
}

export function seedSqlite(db: Db, count: number): number {
  const t0 = performance.now();
  db.prepare(SEED_SQLITE).run(count);
  return (performance.now() - t0) / 1000;
}

/** Plans BENCH_SEND: its send's id, the rows frozen and the seconds it took. */
export async function timePlan(ledger: Ledger): Promise<{ id: number; recipients: number; seconds: number }> {
  const t0 = performance.now();
  const { send } = await ledger.plan(BENCH_SEND, Date.now());
  return { id: send.id, recipients: send.recipients, seconds: (performance.now() - t0) / 1000 };
}
