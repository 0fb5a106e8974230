/**
 * `NEWSLETTER_TEST_PG=postgres://… node --import tsx scripts/bench-pg-ledger.ts`: the PostgreSQL ledger's figures,
 * on throwaway databases of that server. Planning a send to 1,000,000 subscribers (target < 20 s), and the group
 * commit of one sender, results in and claims out in groups of 8 as the send loop makes them, next to the SQLite
 * ledger doing the same in the same run (target ≥ 0.8×). No SMTP: this is the ledger's share of a send.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ledger } from '../src/store/ledger/ledger.ts';
import type { DeliveryResult, NewSend } from '../src/store/ledger/records.ts';
import { SqliteLedger } from '../src/store/ledger/sqlite-ledger.ts';
import { openDatabase } from '../src/store/open.ts';
import { PgLedger } from '../src/store/pg/pg-ledger.ts';
import { freshPgPool, TEST_PG } from '../test/support/pg.ts';

const PLANNED = Number(process.env.BENCH_PLAN_SUBSCRIBERS ?? 1_000_000);
const SENT = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const GROUP = 8;
const ISSUE: NewSend = { slug: 'bench', issueFile: 'issues/bench.md', subject: 'Bench', sourceHash: 'h', html: '<p>x</p>', text: 'x', placeholderPrefix: 'nlmerge0' };
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const cleanups: (() => unknown)[] = [];
const scope = { after: (fn: () => unknown) => void cleanups.push(fn) };
const results: boolean[] = [];

function report(name: string, line: string, ok: boolean | null): void {
  if (ok !== null) results.push(ok);
  console.log(`${ok === null ? 'INFO' : ok ? 'PASS' : 'FAIL'}  ${name}: ${line}`);
}

const SEED_PG = `INSERT INTO subscribers (email, email_normalized, name, status, source, created_at, token_key)
  SELECT 'r' || i || '@example.org', 'r' || i || '@example.org', 'Reader ' || i, 'active', 'bench', '2026-01-01T00:00:00.000Z', md5(i::text)
  FROM generate_series(1, $1::int) i`;
const SEED_SQLITE = `INSERT INTO subscribers (email, email_normalized, name, status, source, created_at, token_key)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
  SELECT 'r' || i || '@example.org', 'r' || i || '@example.org', 'Reader ' || i, 'active', 'bench', '2026-01-01T00:00:00.000Z', lower(hex(randomblob(16))) FROM n`;

/** One sender's loop without SMTP: each group's results go in with the claim of the next group. Returns rows/s. */
async function sendAll(ledger: Ledger, sendId: number): Promise<number> {
  const run = await ledger.startRun(sendId, { pid: process.pid, host: 'bench', transport: 'none' }, Date.now());
  let pending: DeliveryResult[] = [];
  let done = 0;
  const started = performance.now();
  for (;;) {
    const claimed = await ledger.commit(sendId, run, pending, GROUP, Date.now());
    if (claimed.length === 0) break;
    done += claimed.length;
    pending = claimed.map((c) => ({ subscriberId: c.subscriberId, state: 'sent', reply: '250 2.0.0 ok', messageId: `<${c.subscriberId}@bench>` }));
  }
  await ledger.commit(sendId, run, pending, 0, Date.now());
  return (done / (performance.now() - started)) * 1000;
}

if (!TEST_PG) {
  console.error('Set NEWSLETTER_TEST_PG to a PostgreSQL server URL (scripts/pg-throwaway.sh starts one).');
  process.exit(2);
}
try {
  const planned = await freshPgPool(scope);
  let t0 = performance.now();
  await planned.pool.query(SEED_PG, [PLANNED]);
  await planned.pool.query('ANALYZE subscribers');
  report('seed', `${fmt(PLANNED)} subscribers written in ${fmt((performance.now() - t0) / 1000, 1)} s`, null);
  t0 = performance.now();
  const { send } = await new PgLedger(planned.pool).plan(ISSUE, Date.now());
  const planS = (performance.now() - t0) / 1000;
  report('plan', `${fmt(send.recipients)} recipients frozen in ${fmt(planS, 1)} s (target < 20 s)`, planS < 20);
  const settings = await planned.pool.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit') ORDER BY name`);
  report('server', settings.rows.map((r) => `${r.name}=${r.setting}`).join(', '), null);

  const sending = await freshPgPool(scope);
  await sending.pool.query(SEED_PG, [SENT]);
  await sending.pool.query('ANALYZE subscribers');
  const pgLedger = new PgLedger(sending.pool);
  const pgRate = await sendAll(pgLedger, (await pgLedger.plan(ISSUE, Date.now())).send.id);

  const dir = mkdtempSync(join(tmpdir(), 'nl-bench-ledger-'));
  const db = openDatabase(join(dir, 'newsletter.db'));
  cleanups.push(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  db.prepare(SEED_SQLITE).run(SENT);
  const sqliteLedger = new SqliteLedger(db);
  const sqliteRate = await sendAll(sqliteLedger, (await sqliteLedger.plan(ISSUE, Date.now())).send.id);
  report('sqlite commit', `${fmt(sqliteRate)} rows/s, groups of ${GROUP}, ${fmt(SENT)} rows`, null);
  report('pg commit', `${fmt(pgRate)} rows/s, ${fmt(pgRate / sqliteRate, 2)}× SQLite (target ≥ 0.8×)`, pgRate >= 0.8 * sqliteRate);
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
process.exit(results.every(Boolean) ? 0 : 1);
