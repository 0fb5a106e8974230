/** The send ledger on SQLite (issue 6): the shared contract, plus a database from before the ledger and a lock held elsewhere. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import type { NewSend } from '../../src/store/ledger/records.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { DatabaseBusyError, openDatabase, type Db } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscriber-store.ts';
import { holdWriteLock } from '../support/hold-lock.ts';
import { ledgerContract, type StoredDelivery } from './ledger-contract.ts';

function tempDb(t: TestContext): { path: string; db: Db } {
  const dir = mkdtempSync(join(tmpdir(), 'nl-ledger-'));
  const path = join(dir, 'newsletter.db');
  const db = openDatabase(path);
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, db };
}

ledgerContract('sqlite ledger', async (t, { now, bounceFails }) => {
  const { path, db } = tempDb(t);
  const table = new SqliteSubscriberTable(db, now);
  // The subscriber table changes the status (a savepoint in the commit's transaction), then the sink fails.
  const failing = {
    markBounced: (subscriberId: number, reason: string, at: Date) => {
      table.markBounced(subscriberId, reason, at);
      throw new Error('the subscriber store failed');
    },
  };
  return {
    ledger: bounceFails ? new SqliteLedger(db, failing) : new SqliteLedger(db),
    subscribers: new SqliteSubscriberStore(db, now),
    another: async () => {
      const other = openDatabase(path);
      t.after(() => other.close());
      return new SqliteLedger(other);
    },
    delivery: async (subscriberId) => db.prepare<[number], StoredDelivery>('SELECT state, reply, message_id, run_id FROM deliveries WHERE subscriber_id = ?').get(subscriberId),
    tag: async (subscriberId, ...tags) => {
      for (const tag of tags) db.prepare('INSERT INTO subscriber_tags (subscriber_id, tag, added_at) VALUES (?, ?, ?)').run(subscriberId, tag, new Date(T0).toISOString());
    },
    leaveTopic: async (subscriberId, topic) => {
      db.prepare('INSERT INTO subscriber_topics_left (subscriber_id, topic, left_at) VALUES (?, ?, ?)').run(subscriberId, topic, new Date(T0).toISOString());
    },
  };
});

const ISSUE: NewSend = { slug: 'on-power', issueFile: 'issues/2026-10-01-on-power.md', subject: 'On power', sourceHash: 'h1', html: '<p>x</p>', text: 'x', placeholderPrefix: 'nlmerge0' };
const T0 = Date.parse('2026-11-01T10:00:00Z');
const RUN = { pid: 1, host: 'here', transport: 'test' };

test('ledger: a database from before the ledger existed is migrated with its subscribers intact', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-ledger-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'old.db');
  const old = new Database(path);
  old.exec(MIGRATIONS[0]!);
  old.pragma('user_version = 1');
  old.prepare(`INSERT INTO subscribers (email, email_normalized, status, source, created_at) VALUES ('a@x.org', 'a@x.org', 'active', 'cli', '2026-01-01')`).run();
  old.close();
  const db = openDatabase(path);
  t.after(() => db.close());
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  const { send, created } = await new SqliteLedger(db).plan(ISSUE, T0);
  assert.equal(created, true);
  assert.equal(send.recipients, 1);
});

test('ledger: another process holding the write lock past the busy timeout → the commit waits, then fails clearly; no row changes', async (t) => {
  const { path, db } = tempDb(t);
  const store = new SqliteSubscriberStore(db, () => new Date(T0));
  await store.importMany(
    Array.from({ length: 3 }, (_, i) => ({ email: `r${i}@example.org`, emailNormalized: `r${i}@example.org`, name: `Reader ${i}`, attributes: {} })),
    'test',
  );
  const ids = (await store.list({ status: 'active' })).map((s) => s.id);
  const ledger = new SqliteLedger(db);
  const { send } = await ledger.plan(ISSUE, T0);
  const run = await ledger.startRun(send.id, RUN, T0);
  await ledger.commit(send.id, run, [], 1, T0);
  const holder = await holdWriteLock(path, "UPDATE sends SET subject = 'x'");
  t.after(() => holder.child.kill());
  await assert.rejects(
    ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'sent', reply: '250 ok', messageId: '<m@x>' }], 2, T0 + 1),
    (error: unknown) => error instanceof DatabaseBusyError,
  );
  holder.release();
  await holder.exited;
  assert.deepEqual(await ledger.counts(send.id), { queued: 2, sending: 1, sent: 0, retry: 0, failed: 0, in_doubt: 0, suppressed: 0 }, 'nothing half-written');
  assert.equal((await ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'sent', reply: '250 ok', messageId: '<m@x>' }], 0, T0 + 2)).length, 0);
  assert.equal((await ledger.counts(send.id)).sent, 1, 'and it works once the lock is gone');
});
