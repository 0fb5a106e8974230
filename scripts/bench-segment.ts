/**
 * `npm run bench:segment` (issue 16): planning a segment send over 1,000,000 subscribers with 5 tags each, on each
 * engine, and whether tags slow a plain send's planning.
 *
 * Per engine, two databases seeded alike with 1,000,000 active subscribers (bench-plan.ts), one of them also with 5
 * tags per subscriber (5,000,000 rows of subscriber_tags: tags a…j, subscriber i holding the five from i mod 10 on,
 * so `tag:a and not tag:b` is a tenth of the list). Figures:
 * - the segment send's plan (`tag:a and not tag:b`) on the tagged database: target under 10 s;
 * - the plain send's plan on each database, three times each, alternating, its rows cleared (untimed) between
 *   runs: the median with tags against the median without, target within 5%.
 * PostgreSQL: NEWSLETTER_BENCH_PG, else a durable throwaway server (bench-pg-server.ts), as bench:send uses it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { parseSegment } from '../src/audience/segment-parse.ts';
import type { Ledger } from '../src/store/ledger/ledger.ts';
import { SqliteLedger } from '../src/store/ledger/sqlite-ledger.ts';
import { openDatabase, type Db } from '../src/store/open.ts';
import { PgLedger } from '../src/store/pg/pg-ledger.ts';
import { benchPgServer, migratedPool } from './bench-pg-server.ts';
import { BENCH_SEND, seedPg, seedSqlite } from './bench-plan.ts';

const PLANNED = Number(process.env.BENCH_PLAN_SUBSCRIBERS ?? 1_000_000);
const ROUNDS = 3;
const EXPRESSION = 'tag:a and not tag:b';
const EXPECTED = Math.floor(PLANNED / 10) + (PLANNED % 10 >= 6 ? 1 : 0);
const results: boolean[] = [];

function report(name: string, line: string, ok: boolean | null | 'skip'): void {
  if (typeof ok === 'boolean') results.push(ok);
  console.log(`${ok === 'skip' ? 'SKIP' : ok === null ? 'INFO' : ok ? 'PASS' : 'FAIL'}  ${name}: ${line}`);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Tags a…j, subscriber i holding the five from (i mod 10) on: its tag rows in one statement. */
const TAGS = "'abcdefghij'";
const TAG_SQLITE = `INSERT INTO subscriber_tags (subscriber_id, tag, added_at)
  WITH k(k) AS (VALUES (0), (1), (2), (3), (4))
  SELECT s.id, substr(${TAGS}, ((s.id + k.k) % 10) + 1, 1), '2026-01-01T00:00:00.000Z' FROM subscribers s, k ORDER BY s.id, k.k`;
const TAG_PG = `INSERT INTO subscriber_tags (subscriber_id, tag, added_at)
  SELECT s.id, substr(${TAGS}, ((s.id + k) % 10) + 1, 1), '2026-01-01T00:00:00.000Z' FROM subscribers s, generate_series(0, 4) k ORDER BY s.id, k`;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

interface Engine {
  name: string;
  plain: Ledger;
  tagged: Ledger;
  /** Removes every send and its rows (untimed), so each plan starts from the same tables. */
  clear(which: 'plain' | 'tagged'): Promise<void>;
}

/** The figures of one engine. */
async function measure(engine: Engine, seeded: string): Promise<void> {
  const { name } = engine;
  report(`${name} seed`, seeded, null);
  const segment = await timed(() => engine.tagged.plan({ ...BENCH_SEND, slug: 'bench-segment' }, Date.now(), { audience: { segment: { text: EXPRESSION, ast: parseSegment(EXPRESSION) } } }));
  const frozen = segment.value.send.recipients;
  report(
    `${name} segment plan`,
    `\`${EXPRESSION}\` over ${fmt(PLANNED)} subscribers with 5 tags each: ${fmt(frozen)} recipients frozen in ${fmt(segment.seconds, 2)} s (target < 10 s)`,
    segment.seconds < 10 && frozen === EXPECTED,
  );
  await engine.clear('tagged');
  const times = { plain: [] as number[], tagged: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating, and each first in turn, so neither side always meets a warmer cache.
    const order: ('plain' | 'tagged')[] = round % 2 === 0 ? ['plain', 'tagged'] : ['tagged', 'plain'];
    for (const which of order) {
      const run = await timed(() => engine[which].plan({ ...BENCH_SEND, slug: `bench-plain-${round}` }, Date.now()));
      if (run.value.send.recipients !== PLANNED) throw new Error(`${name}: the plain plan froze ${run.value.send.recipients} rows`);
      times[which].push(run.seconds);
      await engine.clear(which);
    }
  }
  const without = median(times.plain);
  const withTags = median(times.tagged);
  report(
    `${name} plain plan with tags`,
    `${fmt(PLANNED)} recipients frozen in ${fmt(withTags, 2)} s with 5 tags each vs ${fmt(without, 2)} s with none (medians of ${ROUNDS}: ` +
      `${times.tagged.map((s) => fmt(s, 2)).join(', ')} vs ${times.plain.map((s) => fmt(s, 2)).join(', ')}): ${fmt(withTags / without, 3)}× (target ≤ 1.05×)`,
    withTags <= without * 1.05,
  );
}

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-bench-segment-'));
  const dbs: Db[] = [];
  try {
    const plainDb = openDatabase(join(dir, 'plain.db'));
    const taggedDb = openDatabase(join(dir, 'tagged.db'));
    dbs.push(plainDb, taggedDb);
    const seconds = seedSqlite(plainDb, PLANNED) + seedSqlite(taggedDb, PLANNED);
    const t0 = performance.now();
    taggedDb.prepare(TAG_SQLITE).run();
    taggedDb.exec('ANALYZE');
    plainDb.exec('ANALYZE');
    const tagged = (performance.now() - t0) / 1000;
    const clear = async (which: 'plain' | 'tagged') => {
      const db = which === 'plain' ? plainDb : taggedDb;
      db.exec('DELETE FROM deliveries; DELETE FROM send_runs; DELETE FROM sends');
    };
    await measure(
      { name: 'sqlite', plain: new SqliteLedger(plainDb), tagged: new SqliteLedger(taggedDb), clear },
      `two databases of ${fmt(PLANNED)} subscribers in ${fmt(seconds, 1)} s; ${fmt(PLANNED * 5)} tag rows in ${fmt(tagged, 1)} s`,
    );
  } finally {
    for (const db of dbs) db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<void> {
  const server = await benchPgServer();
  if ('skip' in server) {
    for (const name of ['pg segment plan', 'pg plain plan with tags']) report(name, server.skip, 'skip');
    return;
  }
  const pools: pg.Pool[] = [];
  try {
    report('pg server', server.description, null);
    const plainPool = await migratedPool(await server.fresh());
    const taggedPool = await migratedPool(await server.fresh());
    pools.push(plainPool, taggedPool);
    const seconds = (await seedPg(plainPool, PLANNED)) + (await seedPg(taggedPool, PLANNED));
    const t0 = performance.now();
    await taggedPool.query(TAG_PG);
    await taggedPool.query('VACUUM ANALYZE subscriber_tags');
    await taggedPool.query('VACUUM ANALYZE subscribers');
    await plainPool.query('VACUUM ANALYZE subscribers');
    const tagged = (performance.now() - t0) / 1000;
    const clear = async (which: 'plain' | 'tagged') => {
      await (which === 'plain' ? plainPool : taggedPool).query('TRUNCATE sends CASCADE');
    };
    await measure(
      { name: 'pg', plain: new PgLedger(plainPool), tagged: new PgLedger(taggedPool), clear },
      `two databases of ${fmt(PLANNED)} subscribers in ${fmt(seconds, 1)} s; ${fmt(PLANNED * 5)} tag rows in ${fmt(tagged, 1)} s (with VACUUM ANALYZE)`,
    );
  } finally {
    for (const pool of pools) await pool.end();
    await server.stop();
  }
}

console.log(`bench:segment: ${fmt(PLANNED)} subscribers; Node ${process.version}\n`);
await sqlite();
await postgres();
console.log(`\n${results.every(Boolean) ? 'All targets met.' : 'Some targets missed.'}`);
process.exitCode = results.every(Boolean) ? 0 : 1;
