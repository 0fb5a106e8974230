/** The subscriber store on SQLite (issue 5): the shared contract, plus pragmas, migrations and a lock held elsewhere. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { DatabaseBusyError, openDatabase, type Db } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscriber-store.ts';
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

// The database under each store the contract makes, for what no store method reads yet (consent, tags).
const dbOf = new WeakMap<object, Db>();
subscriberStoreContract(
  'sqlite store',
  (t, now) => {
    const { db } = tempDb(t);
    const store = new SqliteSubscriberStore(db, now);
    dbOf.set(store, db);
    return store;
  },
  async (store, email) => {
    const db = dbOf.get(store)!;
    const row = db
      .prepare<[string], { id: number; consent_source: string | null; opted_in_at: string | null; consent_ip: string | null; consent_evidence: string | null }>(
        'SELECT id, consent_source, opted_in_at, consent_ip, consent_evidence FROM subscribers WHERE email_normalized = ?',
      )
      .get(email)!;
    const tags = db.prepare<[number], { tag: string }>('SELECT tag FROM subscriber_tags WHERE subscriber_id = ? ORDER BY tag').all(row.id).map((r) => r.tag);
    return { consent_source: row.consent_source, opted_in_at: row.opted_in_at, consent_ip: row.consent_ip, consent_evidence: row.consent_evidence, tags };
  },
);

test('store: deleting a subscriber deletes their events (foreign keys with cascade are on)', (t) => {
  const { db } = tempDb(t);
  const store = new SqliteSubscriberTable(db);
  store.add(ada);
  store.purge('ada@example.com');
  assert.equal((db.prepare('SELECT count(*) AS n FROM subscriber_events').get() as { n: number }).n, 0);
});

test('store: a writer blocked by another process holding the lock past the busy timeout waits, then fails clearly, changing nothing', async (t) => {
  const { path, db } = tempDb(t);
  const store = new SqliteSubscriberTable(db);
  const holder = await holdWriteLock(path, "INSERT INTO subscribers (email, email_normalized, status, source, created_at) VALUES ('x@y.org','x@y.org','active','cli','now')");
  t.after(() => holder.child.kill());
  const started = Date.now();
  assert.throws(() => store.add(ada), (error: unknown) => error instanceof DatabaseBusyError && /busy.*try again/.test(error.message));
  assert.ok(Date.now() - started >= 4500, `it waited ${Date.now() - started} ms`);
  holder.release();
  await holder.exited;
  assert.equal(store.get('ada@example.com'), null, 'nothing half-written');
  assert.equal(store.add(ada).status, 'pending', 'and it works once the lock is gone');
});

test('store: migration 3 gives every existing row its own random token key, and marks only those rows as taking id-based links', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'old.db');
  const old = new Database(path);
  old.exec(MIGRATIONS[0]!);
  old.exec(MIGRATIONS[1]!);
  old.pragma('user_version = 2');
  const insert = old.prepare("INSERT INTO subscribers (email, email_normalized, status, source, created_at) VALUES (?, ?, 'active', 'cli', '2026-01-01T00:00:00.000Z')");
  for (let i = 0; i < 50; i++) insert.run(`r${i}@x.org`, `r${i}@x.org`);
  old.close();
  const db = openDatabase(path);
  t.after(() => db.close());
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  const store = new SqliteSubscriberTable(db);
  const migrated = store.list();
  assert.equal(migrated.length, 50);
  for (const s of migrated) {
    assert.match(s.tokenKey, /^[0-9a-f]{32}$/);
    assert.equal(s.legacyTokens, true);
  }
  assert.equal(new Set(migrated.map((s) => s.tokenKey)).size, 50, 'every key is different');
  assert.equal(store.add({ ...ada, emailNormalized: 'new@x.org', email: 'new@x.org' }).legacyTokens, false);
  assert.throws(() => db.prepare('UPDATE subscribers SET token_key = ? WHERE id = 2').run(migrated[0]!.tokenKey), /UNIQUE/, 'keys are unique');
});

test('store: an import plans without the write lock; what others change meanwhile is taken into account, as if it had waited', (t) => {
  const { path, db } = tempDb(t);
  const store = new SqliteSubscriberTable(db);
  const person = (email: string, name: string, attributes: Record<string, string> = {}) => ({ email, emailNormalized: email, name, attributes });
  store.importMany([person('keep@x.org', 'Keep', { a: '1' }), person('change@x.org', 'Old'), person('gone@x.org', 'Gone')], 'import:first.csv');
  // Another connection that never waits for a lock: any write it makes while the import plans proves no lock is held.
  const other = openDatabase(path);
  t.after(() => other.close());
  other.pragma('busy_timeout = 0');
  const elsewhere = new SqliteSubscriberTable(other);
  let planned = false;
  const counts = store.importMany(
    [person('new@x.org', 'New'), person('raced@x.org', 'Raced'), person('change@x.org', 'New Name'), person('keep@x.org', 'Keep', { a: '1' }), person('gone@x.org', 'Gone')],
    'import:second.csv',
    {
      onPlanned: () => {
        planned = true;
        elsewhere.add({ email: 'raced@x.org', emailNormalized: 'raced@x.org', name: '', status: 'pending', source: 'form', reason: 'signed up on the web' });
        elsewhere.purge('gone@x.org');
        elsewhere.importMany([person('keep@x.org', 'Keep', { a: '9' })], 'import:meanwhile.csv');
      },
    },
  );
  assert.equal(planned, true, 'the other connection wrote while the import was planned');
  assert.deepEqual({ imported: counts.imported, updated: counts.updated, unchanged: counts.unchanged }, { imported: 2, updated: 3, unchanged: 0 });
  assert.equal(store.get('new@x.org')?.status, 'active');
  assert.deepEqual([store.get('raced@x.org')?.status, store.get('raced@x.org')?.name], ['pending', 'Raced'], 'the sign-up made meanwhile is kept, and not activated');
  assert.equal(store.get('change@x.org')?.name, 'New Name');
  assert.deepEqual(store.get('keep@x.org')?.attributes, { a: '1' }, 'the row changed meanwhile got the import over it');
  assert.equal(store.get('gone@x.org')?.status, 'active', 'the row deleted meanwhile is imported anew');
  assert.equal(store.list().length, 5);
  // And when nothing changed meanwhile, the same file again is all unchanged.
  const again = store.importMany([person('new@x.org', 'New'), person('raced@x.org', 'Raced'), person('change@x.org', 'New Name'), person('keep@x.org', 'Keep', { a: '1' }), person('gone@x.org', 'Gone')], 'import:second.csv');
  assert.deepEqual({ imported: again.imported, updated: again.updated, unchanged: again.unchanged }, { imported: 0, updated: 0, unchanged: 5 });
});

test('store: an import that repeats an address applies the rows in order', (t) => {
  const store = new SqliteSubscriberTable(tempDb(t).db);
  const counts = store.importMany(
    [
      { email: 'a@x.org', emailNormalized: 'a@x.org', name: 'First', attributes: { city: 'Leeds' } },
      { email: 'A@x.org', emailNormalized: 'a@x.org', name: 'Second', attributes: { plan: 'gold' } },
    ],
    'import:x.csv',
  );
  assert.deepEqual({ imported: counts.imported, updated: counts.updated, unchanged: counts.unchanged }, { imported: 1, updated: 1, unchanged: 0 });
  assert.deepEqual([store.get('a@x.org')?.name, store.get('a@x.org')?.attributes], ['Second', { city: 'Leeds', plan: 'gold' }]);
});
