/** The desk's reads: a real SQLite file seeded through the store and the ledger, opened read-only, aggregates only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDesk } from '../../src/preview/desk-data.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import { openPool } from '../../src/store/pg/pg-pool.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { SEED_SLUG, SEEDED_ACTIVE_BY_DAY, SEEDED_COUNTS, SEEDED_PER_MINUTE, seedDesk } from '../support/desk-seed.ts';

const FIRST = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

function folder(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'desk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What the desk shows of the seeded story, whichever engine holds it. */
function assertSeededDesk(desk: Awaited<ReturnType<typeof readDesk>>): void {
  assert.ok(desk);
  assert.deepEqual(desk.counts, SEEDED_COUNTS);
  assert.equal(desk.total, 10);
  assert.deepEqual(desk.activeByDay.map((p) => p.value), SEEDED_ACTIVE_BY_DAY);
  assert.deepEqual(desk.activeByDay.map((p) => p.day.toISOString().slice(0, 10)), ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']);
  assert.equal(desk.sends.length, 1);
  const [send] = desk.sends;
  assert.equal(send!.status.slug, SEED_SLUG);
  assert.equal(send!.status.state, 'finished');
  assert.equal(send!.status.counts.sent, 7);
  assert.equal(send!.status.counts.failed, 1);
  assert.equal(send!.status.errors[0]?.reply, '550 5.1.1');
  assert.equal(send!.bucketMinutes, 1);
  assert.deepEqual(send!.bars.map((b) => b.value), SEEDED_PER_MINUTE);
  assert.equal(send!.bars[0]!.minute.toISOString(), '2026-11-05T12:00:00.000Z');
}

test('desk data: counts by status, active subscribers per day, the send with its outcomes and messages per minute', async (t) => {
  const path = join(folder(t), 'newsletter.db');
  await seedDesk(path, FIRST);
  assertSeededDesk(await readDesk(path, FIRST + 4 * DAY + 13 * 3_600_000));
});

test('desk data on PostgreSQL: the same story, read through the preview\'s own pool', needsPg, async (t) => {
  const url = await freshPgDatabase(t);
  await seedDesk(url, FIRST);
  const pool = openPool(url, { max: 2 });
  t.after(() => pool.end());
  assertSeededDesk(await readDesk(url, FIRST + 4 * DAY + 13 * 3_600_000, async () => pool));
});

test('desk data: the history runs on to today, flat, after the last event', async (t) => {
  const path = join(folder(t), 'newsletter.db');
  await seedDesk(path, FIRST);
  const desk = await readDesk(path, FIRST + 9 * DAY + 5);
  assert.deepEqual(desk!.activeByDay.map((p) => p.value), [...SEEDED_ACTIVE_BY_DAY, 7, 7, 7, 7, 7]);
});

test('desk data: no database is null and creates nothing; the file is never written', async (t) => {
  const dir = folder(t);
  const missing = join(dir, 'data', 'newsletter.db');
  assert.equal(await readDesk(missing, Date.now()), null);
  assert.equal(existsSync(join(dir, 'data')), false, 'no folder made');
  const path = join(dir, 'newsletter.db');
  await seedDesk(path, FIRST);
  const before = readFileSync(path);
  const mtime = statSync(path).mtimeMs;
  await readDesk(path, Date.now());
  assert.deepEqual(readFileSync(path), before);
  assert.equal(statSync(path).mtimeMs, mtime);
});

test('desk data: an empty database has zero counts, no history and no sends', async (t) => {
  const path = join(folder(t), 'newsletter.db');
  openDatabase(path).close();
  const desk = await readDesk(path, Date.now());
  assert.equal(desk!.total, 0);
  assert.deepEqual(desk!.activeByDay, []);
  assert.deepEqual(desk!.sends, []);
});

test('desk data: at most five sends, newest first', async (t) => {
  const path = join(folder(t), 'newsletter.db');
  await seedDesk(path, FIRST);
  const db = openDatabase(path);
  const ledger = new SqliteLedger(db);
  for (let i = 0; i < 6; i++) {
    ledger.plan({ slug: `later-${i}`, issueFile: `issues/later-${i}.md`, subject: 's', sourceHash: 'h', html: '', text: '', placeholderPrefix: 'P' }, FIRST + 6 * DAY + i);
  }
  db.close();
  const desk = await readDesk(path, FIRST + 7 * DAY);
  assert.deepEqual(desk!.sends.map((s) => s.status.slug), ['later-5', 'later-4', 'later-3', 'later-2', 'later-1']);
  assert.deepEqual(desk!.sends[0]!.bars, [], 'planned, nothing sent yet');
  assert.equal(desk!.sends[0]!.status.counts.queued, 7);
});
