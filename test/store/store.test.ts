/** The subscriber store on SQLite (issue 5): pragmas, migrations, events, suppression, and a lock held elsewhere. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseBusyError, openDatabase, type Db } from '../../src/store/open.ts';
import { DuplicateSubscriberError, SqliteSubscriberStore } from '../../src/store/sqlite-subscribers.ts';
import { ROOT } from '../support/fixtures.ts';

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
  assert.equal(db.pragma('user_version', { simple: true }), 1);
  const again = openDatabase(path);
  assert.equal(again.pragma('user_version', { simple: true }), 1);
  again.close();
});

test('store: addresses are unique regardless of case; every change appends an event with from, to, why and via', (t) => {
  let clock = Date.parse('2026-11-01T10:00:00Z');
  const store = new SqliteSubscriberStore(tempDb(t).db, () => new Date((clock += 1000)));
  const added = store.add(ada);
  assert.equal(added.email, 'Ada@Example.com', 'stored as given');
  assert.equal(added.status, 'pending');
  assert.throws(() => store.add({ ...ada, email: 'ADA@example.COM' }), DuplicateSubscriberError);
  assert.equal(store.setStatus('ada@example.com', 'active', 'confirmed by email', 'form'), true);
  assert.equal(store.setStatus('ada@example.com', 'active', 'again', 'form'), false, 'no change, no event');
  assert.equal(store.setStatus('ada@example.com', 'unsubscribed', 'one-click unsubscribe', 'one-click'), true);
  const s = store.get('ada@example.com')!;
  assert.equal(s.status, 'unsubscribed');
  assert.equal(s.confirmedAt, '2026-11-01T10:00:02.000Z');
  assert.equal(s.unsubscribedAt, '2026-11-01T10:00:03.000Z');
  assert.deepEqual(store.events('ada@example.com'), [
    { at: '2026-11-01T10:00:01.000Z', from: null, to: 'pending', reason: 'added with the CLI', via: 'cli' },
    { at: '2026-11-01T10:00:02.000Z', from: 'pending', to: 'active', reason: 'confirmed by email', via: 'form' },
    { at: '2026-11-01T10:00:03.000Z', from: 'active', to: 'unsubscribed', reason: 'one-click unsubscribe', via: 'one-click' },
  ]);
  assert.deepEqual(store.countByStatus(), { pending: 0, active: 0, unsubscribed: 1, bounced: 0, complained: 0 });
  assert.deepEqual(store.list({ status: 'unsubscribed' }).map((x) => x.email), ['Ada@Example.com']);
  assert.deepEqual(store.list({ status: 'active' }), []);
});

test('store: purging deletes the subscriber and their events', (t) => {
  const { db } = tempDb(t);
  const store = new SqliteSubscriberStore(db);
  store.add(ada);
  store.setStatus('ada@example.com', 'active', 'confirmed', 'cli');
  assert.equal(store.purge('ada@example.com'), true);
  assert.equal(store.get('ada@example.com'), null);
  assert.equal((db.prepare('SELECT count(*) AS n FROM subscriber_events').get() as { n: number }).n, 0);
  assert.equal(store.purge('ada@example.com'), false);
});

test('store: a writer blocked by another process holding the lock for 6 s waits, then fails clearly, changing nothing', async (t) => {
  const { path, db } = tempDb(t);
  const store = new SqliteSubscriberStore(db);
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)});
       db.exec('BEGIN IMMEDIATE'); db.prepare("INSERT INTO subscribers (email, email_normalized, status, source, created_at) VALUES ('x@y.org','x@y.org','active','cli','now')").run();
       process.stdout.write('locked\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6000); db.exec('ROLLBACK'); db.close();`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => holder.kill());
  await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
  const started = Date.now();
  assert.throws(() => store.add(ada), (error: unknown) => error instanceof DatabaseBusyError && /busy.*try again/.test(error.message));
  assert.ok(Date.now() - started >= 4500, `it waited ${Date.now() - started} ms`);
  await new Promise((resolve) => holder.once('exit', resolve));
  assert.equal(store.get('ada@example.com'), null, 'nothing half-written');
  assert.equal(store.add(ada).status, 'pending', 'and it works once the lock is gone');
});
