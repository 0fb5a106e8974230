/** The subscriber store on SQLite (issue 5): the shared contract, plus pragmas, migrations and a lock held elsewhere. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { DatabaseBusyError, openDatabase, type Db } from '../../src/store/open.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscribers.ts';
import { holdWriteLock } from '../support/hold-lock.ts';
import { subscriberStoreContract } from './subscriber-store-contract.ts';

function tempDb(t: TestContext): { path: string; db: Db } {
  const dir = mkdtempSync(join(tmpdir(), 'nl-db-'));
  const path = join(dir, 'data', 'newsletter.db');
  const db = openDatabase(path);
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, db };
}

const ada = { email: 'Ada@Example.com', emailNormalized: 'ada@example.com', name: 'Ada', status: 'pending' as const, source: 'cli', reason: 'added with the CLI' };

test('store: WAL, synchronous=FULL, foreign keys and a busy timeout of at least 5 s are in force; migrations applied once', (t) => {
  const { path, db } = tempDb(t);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 5000);
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  const again = openDatabase(path);
  assert.equal(again.pragma('user_version', { simple: true }), MIGRATIONS.length);
  again.close();
});

subscriberStoreContract('sqlite store', (t, now) => new SqliteSubscriberStore(tempDb(t).db, now));

test('store: deleting a subscriber deletes their events (foreign keys with cascade are on)', (t) => {
  const { db } = tempDb(t);
  const store = new SqliteSubscriberStore(db);
  store.add(ada);
  store.purge('ada@example.com');
  assert.equal((db.prepare('SELECT count(*) AS n FROM subscriber_events').get() as { n: number }).n, 0);
});

test('store: a writer blocked by another process holding the lock for 6 s waits, then fails clearly, changing nothing', async (t) => {
  const { path, db } = tempDb(t);
  const store = new SqliteSubscriberStore(db);
  const holder = await holdWriteLock(path, "INSERT INTO subscribers (email, email_normalized, status, source, created_at) VALUES ('x@y.org','x@y.org','active','cli','now')");
  t.after(() => holder.child.kill());
  const started = Date.now();
  assert.throws(() => store.add(ada), (error: unknown) => error instanceof DatabaseBusyError && /busy.*try again/.test(error.message));
  assert.ok(Date.now() - started >= 4500, `it waited ${Date.now() - started} ms`);
  await holder.exited;
  assert.equal(store.get('ada@example.com'), null, 'nothing half-written');
  assert.equal(store.add(ada).status, 'pending', 'and it works once the lock is gone');
});
