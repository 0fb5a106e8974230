/** A bounce goes through the subscriber store inside the ledger's transaction: the row and the status commit together. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';

const T0 = Date.parse('2026-11-01T10:00:00Z');
const ISSUE = { slug: 's', issueFile: 'issues/s.md', subject: 'S', sourceHash: 'h', html: '<p>x</p>', text: 'x', placeholderPrefix: 'nlmerge0' };

function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'nl-bounce-'));
  const db = openDatabase(join(dir, 'newsletter.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = new SqliteSubscriberTable(db, () => new Date(T0));
  store.importMany([{ email: 'a@example.org', emailNormalized: 'a@example.org', name: 'A', attributes: {} }], 'test');
  return { db, store, id: store.get('a@example.org')!.id };
}

test('ledger bounce: the subscriber store marks the subscriber, with its event at the ledger clock', (t) => {
  const { db, store, id } = setup(t);
  const ledger = new SqliteLedger(db, store);
  const { send } = ledger.plan(ISSUE, T0);
  const run = ledger.startRun(send.id, { pid: 1, host: 'here', transport: 'test' }, T0);
  ledger.commit(send.id, run, [], 1, T0);
  ledger.commit(send.id, run, [{ subscriberId: id, state: 'failed', reply: '550 5.1.1 user unknown', bounce: true }], 0, T0 + 5);
  assert.equal(store.byId(id)?.status, 'bounced');
  const event = store.events('a@example.org').at(-1);
  assert.deepEqual(
    { from: event?.from, to: event?.to, via: event?.via, reason: event?.reason, at: event?.at },
    { from: 'active', to: 'bounced', via: 'bounce', reason: '550 5.1.1 user unknown', at: new Date(T0 + 5).toISOString() },
  );
  // A second bounce of a subscriber no longer active changes nothing and writes no event.
  assert.equal(store.markBounced(id, 'again', new Date(T0 + 6)), false);
  assert.equal(store.events('a@example.org').length, 2);
});

test('ledger bounce: when the subscriber store fails, the delivery row is not recorded either', (t) => {
  const { db, store, id } = setup(t);
  const ledger = new SqliteLedger(db, {
    markBounced: (subscriberId, reason, at) => {
      store.markBounced(subscriberId, reason, at);
      throw new Error('the subscriber store failed');
    },
  });
  const { send } = ledger.plan(ISSUE, T0);
  const run = ledger.startRun(send.id, { pid: 1, host: 'here', transport: 'test' }, T0);
  ledger.commit(send.id, run, [], 1, T0);
  assert.throws(() => ledger.commit(send.id, run, [{ subscriberId: id, state: 'failed', reply: '550 5.1.1', bounce: true }], 0, T0 + 5), /subscriber store failed/);
  assert.equal(ledger.counts(send.id).sending, 1);
  assert.equal(ledger.counts(send.id).failed, 0);
  assert.equal(store.byId(id)?.status, 'active');
  assert.equal(store.events('a@example.org').length, 1);
});
