/**
 * `NEWSLETTER_TEST_PG=postgres://… node --import tsx scripts/bench-pg-ledger.ts`: the ledger's share of a send, no
 * SMTP. One sender's group commits (results in and claims out in groups of 8, as the send loop makes them) on
 * PostgreSQL next to SQLite in the same run. `npm run bench:send` measures the whole send, planning and imports on
 * both engines; this isolates the ledger when a send's figure needs explaining.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ledger } from '../src/store/ledger/ledger.ts';
import type { DeliveryResult } from '../src/store/ledger/records.ts';
import { SqliteLedger } from '../src/store/ledger/sqlite-ledger.ts';
import { openDatabase } from '../src/store/open.ts';
import { PgLedger } from '../src/store/pg/pg-ledger.ts';
import { freshPgPool, TEST_PG } from '../test/support/pg.ts';
import { seedPg, seedSqlite, timePlan } from './bench-plan.ts';

const SENT = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const GROUP = 8;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const cleanups: (() => unknown)[] = [];
const scope = { after: (fn: () => unknown) => void cleanups.push(fn) };

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
let ok = false;
try {
  const { pool } = await freshPgPool(scope);
  await seedPg(pool, SENT);
  const pg = new PgLedger(pool);
  const pgRate = await sendAll(pg, (await timePlan(pg)).id);
  const settings = await pool.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit') ORDER BY name`);

  const dir = mkdtempSync(join(tmpdir(), 'nl-bench-ledger-'));
  const db = openDatabase(join(dir, 'newsletter.db'));
  cleanups.push(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  seedSqlite(db, SENT);
  const sqlite = new SqliteLedger(db);
  const sqliteRate = await sendAll(sqlite, (await timePlan(sqlite)).id);
  ok = pgRate >= 0.8 * sqliteRate;
  console.log(`INFO  server: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(', ')}`);
  console.log(`INFO  sqlite commit: ${fmt(sqliteRate)} rows/s, groups of ${GROUP}, ${fmt(SENT)} rows`);
  console.log(`${ok ? 'PASS' : 'FAIL'}  pg commit: ${fmt(pgRate)} rows/s, ${fmt(pgRate / sqliteRate, 2)}× SQLite (target ≥ 0.8×)`);
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
process.exit(ok ? 0 : 1);
