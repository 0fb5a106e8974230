/** The confirmation queue's table (issue 12, finding 3): exclusive claims, leases, the daily limit, erasure, pruning. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIRMATION_INTERVAL_MS, SqliteConfirmationTable } from '../../src/store/sqlite-confirmation-queue.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';

function twoConnections(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'nl-queue-'));
  const path = join(dir, 'newsletter.db');
  const [a, b] = [openDatabase(path), openDatabase(path)];
  t.after(() => {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = new SqliteSubscriberTable(a);
  const add = (email: string) => store.add({ email, emailNormalized: email, name: '', status: 'pending', source: 'form', reason: 'x' }).id;
  return { store, add, one: new SqliteConfirmationTable(a), two: new SqliteConfirmationTable(b) };
}

const T = Date.parse('2026-11-25T10:00:00Z');

test('queue: two senders on two connections never claim the same row; a lease that ran out makes the row due again', (t) => {
  const q = twoConnections(t);
  for (let i = 0; i < 5; i++) q.one.enqueue(q.add(`r${i}@example.com`), T);
  const first = q.one.claimDue(T, 3, 60_000).map((r) => r.id);
  const second = q.two.claimDue(T, 3, 60_000).map((r) => r.id);
  assert.equal(first.length, 3);
  assert.equal(second.length, 2);
  assert.equal(new Set([...first, ...second]).size, 5);
  assert.deepEqual(q.two.claimDue(T + 59_999, 10, 60_000), [], 'held until the lease ends');
  assert.equal(q.two.nextDueAt(), T + 60_000);
  assert.equal(q.two.claimDue(T + 60_000, 10, 60_000).length, 5, 'a dead sender’s rows are taken over');
});

test('queue: the daily limit counts emails that may have gone out, not skipped or failed ones', (t) => {
  const q = twoConnections(t);
  const id = q.add('a@example.com');
  assert.equal(q.one.mailedSince(id, T - CONFIRMATION_INTERVAL_MS), false);
  q.one.skip(id, T, 'already active');
  assert.equal(q.one.mailedSince(id, T - CONFIRMATION_INTERVAL_MS), false);
  q.one.enqueue(id, T);
  const [row] = q.one.claimDue(T, 1, 60_000);
  q.one.finish(row!.id, 'failed', T, '550 no such user', true);
  assert.equal(q.one.mailedSince(id, T - CONFIRMATION_INTERVAL_MS), false, 'a refused email reached nobody');
  q.one.enqueue(id, T + 1);
  assert.equal(q.one.mailedSince(id, T + 1 - CONFIRMATION_INTERVAL_MS), true, 'queued counts');
  assert.equal(q.one.mailedSince(id, T + 1), false, 'only within the window');
});

test('queue: erasing a subscriber erases their rows; finished rows are pruned, queued ones never', (t) => {
  const q = twoConnections(t);
  const gone = q.add('gone@example.com');
  const kept = q.add('kept@example.com');
  q.one.enqueue(gone, T);
  q.one.enqueue(kept, T);
  q.one.skip(kept, T, 'x');
  assert.equal(q.store.purge('gone@example.com'), true);
  assert.deepEqual(q.one.forSubscriber(gone), []);
  assert.equal(q.one.prune(T + 1), 1, 'the skipped row');
  assert.deepEqual(q.one.forSubscriber(kept).map((r) => r.state), ['queued']);
});
