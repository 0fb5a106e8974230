/** The send ledger (issue 6): planning freezes the list, claims never overlap, results land in the right state. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import { AlreadySentError, type NewSend } from '../../src/store/ledger/records.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { DatabaseBusyError, openDatabase, type Db } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { holdWriteLock } from '../support/hold-lock.ts';

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

const ISSUE: NewSend = { slug: 'on-power', issueFile: 'issues/2026-10-01-on-power.md', subject: 'On power', sourceHash: 'h1', html: '<p>x</p>', text: 'x', placeholderPrefix: 'nlmerge0' };
const T0 = Date.parse('2026-11-01T10:00:00Z');
const RUN = { pid: 1, host: 'here', transport: 'test' };

/** A list of `active` subscribers plus one of each other status; returns the store and the active ids. */
function list(db: Db, active: number): { store: SqliteSubscriberTable; ids: number[] } {
  const store = new SqliteSubscriberTable(db, () => new Date(T0));
  store.importMany(
    Array.from({ length: active }, (_, i) => ({ email: `r${i}@example.org`, emailNormalized: `r${i}@example.org`, name: `Reader ${i}`, attributes: {} })),
    'test',
  );
  for (const status of ['pending', 'unsubscribed', 'bounced', 'complained'] as const) {
    store.add({ email: `${status}@example.org`, emailNormalized: `${status}@example.org`, name: '', status, source: 'cli', reason: 'test' });
  }
  return { store, ids: store.list({ status: 'active' }).map((s) => s.id) };
}

test('ledger: planning freezes one queued row per active subscriber; planning again resumes the same send', (t) => {
  const { db } = tempDb(t);
  const { store, ids } = list(db, 5);
  const ledger = new SqliteLedger(db);
  const first = ledger.plan(ISSUE, T0);
  assert.equal(first.created, true);
  assert.equal(first.send.recipients, 5);
  assert.deepEqual(ledger.counts(first.send.id), { queued: 5, sending: 0, sent: 0, retry: 0, failed: 0, in_doubt: 0, suppressed: 0 });
  // Someone joining after planning is not part of this send: the list was frozen.
  store.add({ email: 'late@example.org', emailNormalized: 'late@example.org', name: '', status: 'active', source: 'cli', reason: 'test' });
  const again = ledger.plan(ISSUE, T0 + 1);
  assert.equal(again.created, false);
  assert.equal(again.send.id, first.send.id);
  assert.equal(ledger.counts(first.send.id).queued, 5);
  const claimed = ledger.commit(first.send.id, ledger.startRun(first.send.id, RUN, T0), [], 100, T0);
  assert.deepEqual(claimed.map((c) => c.subscriberId), ids, 'claimed in subscriber order, only those frozen');
});

test('ledger: a finished send is not planned again without force; force plans a new send to everyone active', (t) => {
  const { db } = tempDb(t);
  const { ids } = list(db, 2);
  const ledger = new SqliteLedger(db);
  const { send } = ledger.plan(ISSUE, T0);
  const run = ledger.startRun(send.id, RUN, T0);
  ledger.commit(send.id, run, [], 2, T0);
  assert.equal(ledger.finishIfDone(send.id, T0), false, 'rows in flight: not finished');
  ledger.commit(send.id, run, ids.map((id) => ({ subscriberId: id, state: 'sent' as const, reply: '250 ok', messageId: `<${id}@x>` })), 0, T0 + 5);
  assert.equal(ledger.finishIfDone(send.id, T0 + 5), true);
  assert.throws(() => ledger.plan(ISSUE, T0 + 10), AlreadySentError);
  const forced = ledger.plan(ISSUE, T0 + 10, { force: true });
  assert.equal(forced.created, true);
  assert.notEqual(forced.send.id, send.id);
  assert.equal(ledger.counts(forced.send.id).queued, 2);
});

test('ledger: claims mark rows sending, at most the number wanted; results record reply and Message-ID', (t) => {
  const { db } = tempDb(t);
  const { store, ids } = list(db, 4);
  const ledger = new SqliteLedger(db);
  const { send } = ledger.plan(ISSUE, T0);
  const run = ledger.startRun(send.id, RUN, T0);
  const claimed = ledger.commit(send.id, run, [], 3, T0);
  assert.equal(claimed.length, 3);
  const tokenKey = store.byId(ids[0]!)!.tokenKey;
  assert.deepEqual(claimed[0], { subscriberId: ids[0], previous: 'queued', email: 'r0@example.org', name: 'Reader 0', tokenKey, attempts: 1, firstAttemptAt: T0 });
  assert.equal(ledger.counts(send.id).sending, 3);
  ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'sent', reply: '250 2.0.0 queued as ABC', messageId: '<m0@x>' }], 0, T0 + 1);
  const row = db.prepare('SELECT state, reply, message_id, run_id FROM deliveries WHERE subscriber_id = ?').get(ids[0]) as Record<string, unknown>;
  assert.deepEqual(row, { state: 'sent', reply: '250 2.0.0 queued as ABC', message_id: '<m0@x>', run_id: null });
  // A result for a row that is not `sending` (already settled) changes nothing: a late duplicate report cannot undo a send.
  ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'retry', reply: '451 late', nextAttemptAt: T0 }], 0, T0 + 2);
  assert.equal((db.prepare('SELECT state FROM deliveries WHERE subscriber_id = ?').get(ids[0]) as { state: string }).state, 'sent');
});

test('ledger: the times messages went out, across sends, for the hourly cap; and which Message-ID went to whom', (t) => {
  const { db } = tempDb(t);
  const { ids } = list(db, 3);
  const ledger = new SqliteLedger(db);
  const { send } = ledger.plan(ISSUE, T0);
  const run = ledger.startRun(send.id, RUN, T0);
  ledger.commit(send.id, run, [], 3, T0);
  ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'sent', reply: '250 ok', messageId: '<a@x>' }], 0, T0 + 10);
  ledger.commit(send.id, run, [{ subscriberId: ids[1]!, state: 'sent', reply: '250 ok', messageId: '<b@x>' }], 0, T0 + 20);
  ledger.commit(send.id, run, [{ subscriberId: ids[2]!, state: 'retry', reply: '451 later', nextAttemptAt: T0 + 99 }], 0, T0 + 30);
  assert.deepEqual(ledger.sentTimesSince(T0).sort(), [T0 + 10, T0 + 20]);
  assert.deepEqual(ledger.sentTimesSince(T0 + 15), [T0 + 20]);
  assert.equal(ledger.sentMessage(ids[0]!, '<a@x>'), true);
  assert.equal(ledger.sentMessage(ids[1]!, '<a@x>'), false, 'another subscriber\'s message');
  assert.equal(ledger.sentMessage(ids[2]!, '<c@x>'), false);
});

test('ledger: an unsubscribe after planning is honoured at the next claim: the row becomes suppressed, never sending', (t) => {
  const { db } = tempDb(t);
  const { store, ids } = list(db, 3);
  const ledger = new SqliteLedger(db);
  const { send } = ledger.plan(ISSUE, T0);
  const run = ledger.startRun(send.id, RUN, T0);
  assert.equal(ledger.commit(send.id, run, [], 1, T0).length, 1);
  store.setStatus('r1@example.org', 'unsubscribed', 'one-click', 'one-click');
  const next = ledger.commit(send.id, run, [], 2, T0 + 1);
  assert.deepEqual(next.map((c) => c.subscriberId), [ids[2]]);
  const row = db.prepare('SELECT state, reply FROM deliveries WHERE subscriber_id = ?').get(ids[1]) as { state: string; reply: string };
  assert.deepEqual(row, { state: 'suppressed', reply: 'the subscriber is unsubscribed' });
});

test('ledger: a permanent failure with bounce marks the subscriber bounced, with an event saying why', (t) => {
  const { db } = tempDb(t);
  const { store, ids } = list(db, 1);
  const ledger = new SqliteLedger(db);
  const { send } = ledger.plan(ISSUE, T0);
  const run = ledger.startRun(send.id, RUN, T0);
  ledger.commit(send.id, run, [], 1, T0);
  ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'failed', reply: '550 5.1.1 user unknown', bounce: true }], 0, T0 + 1);
  assert.equal(ledger.counts(send.id).failed, 1);
  assert.equal(store.get('r0@example.org')?.status, 'bounced');
  const event = store.events('r0@example.org').at(-1);
  assert.deepEqual({ to: event?.to, via: event?.via, reason: event?.reason }, { to: 'bounced', via: 'bounce', reason: '550 5.1.1 user unknown' });
});

test('ledger: a retry waits until it is due, then comes before the queue; an unclaimed row gets its attempt back', (t) => {
  const { db } = tempDb(t);
  const { ids } = list(db, 3);
  const ledger = new SqliteLedger(db);
  const { send } = ledger.plan(ISSUE, T0);
  const run = ledger.startRun(send.id, RUN, T0);
  ledger.commit(send.id, run, [], 2, T0);
  ledger.commit(
    send.id,
    run,
    [
      { subscriberId: ids[0]!, state: 'retry', reply: '451 try later', nextAttemptAt: T0 + 60_000 },
      { subscriberId: ids[1]!, state: 'queued', reply: '535 auth' },
    ],
    0,
    T0 + 1,
  );
  assert.equal(ledger.nextRetryAt(send.id), T0 + 60_000);
  assert.deepEqual(ledger.commit(send.id, run, [], 5, T0 + 2).map((c) => [c.subscriberId, c.attempts, c.previous]), [
    [ids[1], 1, 'queued'],
    [ids[2], 1, 'queued'],
  ]);
  assert.deepEqual(ledger.commit(send.id, run, [], 5, T0 + 60_000).map((c) => [c.subscriberId, c.attempts, c.previous, c.firstAttemptAt]), [[ids[0], 2, 'retry', T0]]);
});

test('ledger: rows left sending by a dead run become in_doubt on recovery; a live run keeps its rows', (t) => {
  const { db } = tempDb(t);
  list(db, 4);
  const ledger = new SqliteLedger(db);
  const { send } = ledger.plan(ISSUE, T0);
  const dead = ledger.startRun(send.id, { ...RUN, pid: 111 }, T0);
  const live = ledger.startRun(send.id, { ...RUN, pid: 222 }, T0);
  ledger.commit(send.id, dead, [], 2, T0);
  ledger.commit(send.id, live, [], 1, T0);
  const moved = ledger.recoverAbandoned(send.id, T0 + 1, (run) => run.pid === 222);
  assert.deepEqual(moved.map((m) => m.email), ['r0@example.org', 'r1@example.org']);
  assert.deepEqual(ledger.counts(send.id), { queued: 1, sending: 1, sent: 0, retry: 0, failed: 0, in_doubt: 2, suppressed: 0 });
  assert.equal(ledger.runs(send.id).find((r) => r.id === dead)?.outcome, 'crashed');
  assert.equal(ledger.requeueInDoubt(send.id, T0 + 2), 2);
  assert.equal(ledger.counts(send.id).queued, 3);
});

test('ledger: two connections claiming at once never get the same row', (t) => {
  const { path, db } = tempDb(t);
  list(db, 200);
  const a = new SqliteLedger(db);
  const other = openDatabase(path);
  t.after(() => other.close());
  const b = new SqliteLedger(other);
  const { send } = a.plan(ISSUE, T0);
  const runA = a.startRun(send.id, RUN, T0);
  const runB = b.startRun(send.id, { ...RUN, pid: 2 }, T0);
  const seen = new Set<number>();
  let claimed = 0;
  for (let i = 0; i < 100; i++) {
    for (const [ledger, run] of [[a, runA], [b, runB]] as const) {
      for (const c of ledger.commit(send.id, run, [], 3, T0 + i)) {
        assert.ok(!seen.has(c.subscriberId), `row ${c.subscriberId} claimed twice`);
        seen.add(c.subscriberId);
        claimed++;
      }
    }
  }
  assert.equal(claimed, 200);
});

test('ledger: a database from before the ledger existed is migrated with its subscribers intact', (t) => {
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
  const { send, created } = new SqliteLedger(db).plan(ISSUE, T0);
  assert.equal(created, true);
  assert.equal(send.recipients, 1);
});

test('ledger: another process holding the write lock past the busy timeout → the commit waits, then fails clearly; no row changes', async (t) => {
  const { path, db } = tempDb(t);
  const { ids } = list(db, 3);
  const ledger = new SqliteLedger(db);
  const { send } = ledger.plan(ISSUE, T0);
  const run = ledger.startRun(send.id, RUN, T0);
  ledger.commit(send.id, run, [], 1, T0);
  const holder = await holdWriteLock(path, "UPDATE sends SET subject = 'x'");
  t.after(() => holder.child.kill());
  assert.throws(
    () => ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'sent', reply: '250 ok', messageId: '<m@x>' }], 2, T0 + 1),
    (error: unknown) => error instanceof DatabaseBusyError,
  );
  holder.release();
  await holder.exited;
  assert.deepEqual(ledger.counts(send.id), { queued: 2, sending: 1, sent: 0, retry: 0, failed: 0, in_doubt: 0, suppressed: 0 }, 'nothing half-written');
  assert.equal(ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'sent', reply: '250 ok', messageId: '<m@x>' }], 0, T0 + 2).length, 0);
  assert.equal(ledger.counts(send.id).sent, 1, 'and it works once the lock is gone');
});
