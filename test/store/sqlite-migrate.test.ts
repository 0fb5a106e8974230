/**
 * SQLite migrations (issue 15): two processes migrating one new file at once both succeed and the schema is applied
 * once; a schema newer than the code is refused, by `db migrate` and by opening the stores, the file unchanged.
 * (test/store/sqlite.test.ts covers the pragmas, one migration applied on reopen, and migration 3's backfill.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openDatabase, SchemaTooNewError } from '../../src/store/open.ts';
import { openStores } from '../../src/store/open-stores.ts';
import { startCli } from '../support/cli-process.ts';
import { projectFor } from '../support/fixtures.ts';

/** Whether process `pid` has `path` open (Linux's /proc), i.e. it got as far as opening the database. */
function holdsOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

test('sqlite: two `db migrate` processes on one new file at once both succeed; the schema is applied once', { skip: existsSync('/proc/self/fd') ? false : 'needs /proc to see the processes open the file' }, async (t) => {
  const dir = projectFor(t);
  const path = join(dir, 'data', 'newsletter.db');
  // The test holds the write lock on the new file (empty, in WAL mode as the first process to open it leaves it), so
  // that both processes open it, read version 0 and queue on the lock before either can migrate: the race two
  // processes started at once by a deploy can meet.
  mkdirSync(join(dir, 'data'));
  const holder = new Database(path);
  holder.pragma('journal_mode = WAL');
  holder.exec('BEGIN IMMEDIATE');
  const first = startCli(dir, ['db', 'migrate']);
  const second = startCli(dir, ['db', 'migrate']);
  let exited = 0;
  void first.done.then(() => exited++);
  void second.done.then(() => exited++);
  while (exited === 0 && !(holdsOpen(first.child.pid!, path) && holdsOpen(second.child.pid!, path))) await tick();
  // From opening the file to waiting on the lock takes them microseconds; this pause only makes sure, well within
  // their 5 s busy timeout.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(exited, 0, 'both were still waiting when the lock went');
  holder.exec('ROLLBACK');
  holder.close();
  const results = await Promise.all([first.done, second.done]);
  for (const r of results) assert.equal(r.status, 0, r.stderr);
  const outputs = results.map((r) => r.stdout.trim()).sort();
  assert.deepEqual(outputs, [`SQLite data/newsletter.db: already at version ${MIGRATIONS.length}, nothing to do`, `SQLite data/newsletter.db: migrated from version 0 to ${MIGRATIONS.length}`]);
  const db = new Database(path, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
  for (const table of ['subscribers', 'subscriber_events', 'sends', 'send_runs', 'deliveries', 'confirmation_emails', 'send_pace', 'request_counts', 'subscriber_tags', 'subscriber_topics_left']) assert.ok(tables.includes(table), `${table} in ${tables.join(', ')}`);
});

test('sqlite: a schema newer than the code is refused by db migrate and by opening the stores; the file is unchanged', async (t) => {
  const dir = projectFor(t);
  const path = join(dir, 'data', 'newsletter.db');
  const made = openDatabase(path);
  made.prepare("INSERT INTO subscribers (email, email_normalized, status, source, created_at, token_key) VALUES ('a@b.org', 'a@b.org', 'active', 'cli', 'now', 'k')").run();
  // As a later version might leave it: a rollback journal, so that setting WAL before the check would change the file.
  made.pragma('journal_mode = DELETE');
  made.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  made.close();
  const before = readFileSync(path);
  const listing = readdirSync(join(dir, 'data')).sort();

  const migrated = await startCli(dir, ['db', 'migrate']).done;
  assert.equal(migrated.status, 1);
  assert.equal(migrated.stdout, '');
  assert.match(migrated.stderr, new RegExp(`^newsletter db migrate: .*newsletter\\.db: the database's schema is version ${MIGRATIONS.length + 1}, newer than this newsletter knows \\(${MIGRATIONS.length}\\); upgrade the newsletter, nothing was changed\\n$`));
  await assert.rejects(openStores(path), (error: unknown) => error instanceof SchemaTooNewError && error.found === MIGRATIONS.length + 1);
  const count = await startCli(dir, ['subscribers', 'count']).done;
  assert.equal(count.status, 1);
  assert.match(count.stderr, /newer than this newsletter knows/);

  assert.ok(readFileSync(path).equals(before), 'the database file is byte for byte the same');
  assert.deepEqual(readdirSync(join(dir, 'data')).sort(), listing, 'no journal or WAL file left beside it');
});
