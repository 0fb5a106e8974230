/**
 * What every ConfirmationQueue must do, whatever the database (issue 12, finding 3; issue 15): claims never overlap,
 * a lease that ran out makes its row due again, results land where the sender says, a bounce marks the subscriber,
 * erasure takes the rows along, pruning keeps what is still to send. SQLite runs it in confirmation-queue.test.ts,
 * PostgreSQL in pg-stores.test.ts, each through its own `make`. The daily limit is the sign-ups' (sign-ups-contract.ts).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfirmationQueue } from '../../src/store/confirmation-queue.ts';
import type { SubscriberStore } from '../../src/subscribers/subscriber.ts';

export interface QueueHarness {
  queue: ConfirmationQueue;
  /** The subscriber store on the same database, its clock at `now`. */
  subscribers: SubscriberStore;
  /** Another queue on a connection of its own to the same database: what a second server sees. */
  another(): Promise<ConfirmationQueue>;
}

/** Makes an empty database, its queue and subscriber store, their clock `now`; cleans up after the test. */
export type MakeQueue = (t: TestContext, now: () => Date) => Promise<QueueHarness>;

const T = Date.parse('2026-11-25T10:00:00Z');
const LEASE = 60_000;

export function confirmationQueueContract(name: string, make: MakeQueue): void {
  const setup = async (t: TestContext) => {
    const h = await make(t, () => new Date(T));
    const add = async (email: string) =>
      (await h.subscribers.add({ email, emailNormalized: email.toLowerCase(), name: '', status: 'pending', source: 'form', reason: 'x' })).id;
    return { ...h, add };
  };

  test(`${name}: an enqueued row is claimed with what the email needs, first due first; nothing is due before its time`, async (t) => {
    const { queue, subscribers, add } = await setup(t);
    assert.equal(await queue.nextDueAt(), null, 'an empty queue waits for nothing');
    const late = await add('late@example.com');
    const early = await add('Early@example.com');
    const lateRow = await queue.enqueue(late, T + 10);
    const earlyRow = await queue.enqueue(early, T + 5);
    assert.equal(await queue.nextDueAt(), T + 5);
    assert.deepEqual(await queue.claimDue(T + 4, 10, LEASE), [], 'not due yet');
    const tokenKey = (await subscribers.byId(early))!.tokenKey;
    assert.deepEqual(await queue.claimDue(T + 10, 10, LEASE), [
      { id: earlyRow, subscriberId: early, tokenKey, email: 'Early@example.com', emailNormalized: 'early@example.com', status: 'pending', attempts: 0, requestedAt: T + 5 },
      { id: lateRow, subscriberId: late, tokenKey: (await subscribers.byId(late))!.tokenKey, email: 'late@example.com', emailNormalized: 'late@example.com', status: 'pending', attempts: 0, requestedAt: T + 10 },
    ]);
    assert.deepEqual((await queue.forSubscriber(early)).map((r) => r.state), ['sending']);
    assert.equal(await queue.nextDueAt(), T + 10 + LEASE, 'a claimed row is due again when its lease ends');
  });

  test(`${name}: two senders on two connections never claim the same row; a lease that ran out makes the row due again`, async (t) => {
    const { queue: one, another, add } = await setup(t);
    const two = await another();
    for (let i = 0; i < 5; i++) await one.enqueue(await add(`r${i}@example.com`), T);
    const first = (await one.claimDue(T, 3, LEASE)).map((r) => r.id);
    const second = (await two.claimDue(T, 3, LEASE)).map((r) => r.id);
    assert.equal(first.length, 3);
    assert.equal(second.length, 2);
    assert.equal(new Set([...first, ...second]).size, 5);
    assert.deepEqual(await two.claimDue(T + LEASE - 1, 10, LEASE), [], 'held until the lease ends');
    assert.equal(await two.nextDueAt(), T + LEASE);
    const taken = await two.claimDue(T + LEASE, 10, LEASE);
    assert.equal(taken.length, 5, 'a dead sender’s rows are taken over');
    assert.deepEqual(taken.map((r) => r.attempts), [0, 0, 0, 0, 0], 'an attempt that never reported is not counted');
  });

  test(`${name}: senders claiming at the same moment share the rows out, each row to one of them`, async (t) => {
    const { queue, another, add } = await setup(t);
    const queues = [queue, await another(), await another()];
    for (let i = 0; i < 60; i++) await queue.enqueue(await add(`r${i}@example.com`), T);
    const claimed = (await Promise.all(Array.from({ length: 12 }, (_, i) => queues[i % 3]!.claimDue(T, 7, LEASE)))).flat().map((r) => r.id);
    assert.equal(claimed.length, 60, 'every row claimed');
    assert.equal(new Set(claimed).size, 60, 'none twice');
  });

  test(`${name}: finish ends a claimed row, counting the attempt only when one was made; a row not claimed is left alone`, async (t) => {
    const { queue, add } = await setup(t);
    const sent = await add('sent@example.com');
    const skipped = await add('skipped@example.com');
    const idle = await add('idle@example.com');
    const sentRow = await queue.enqueue(sent, T);
    const skippedRow = await queue.enqueue(skipped, T);
    await queue.claimDue(T, 2, LEASE);
    const idleRow = await queue.enqueue(idle, T);
    await queue.finish(sentRow, 'sent', T + 1, '250 2.0.0 ok', true);
    await queue.finish(skippedRow, 'skipped', T + 1, 'no longer pending', false);
    await queue.finish(idleRow, 'sent', T + 1, '250 late', true);
    const row = async (id: number) => {
      const [r] = await queue.forSubscriber(id);
      return { state: r?.state, attempts: r?.attempts, reply: r?.reply };
    };
    assert.deepEqual(await row(sent), { state: 'sent', attempts: 1, reply: '250 2.0.0 ok' });
    assert.deepEqual(await row(skipped), { state: 'skipped', attempts: 0, reply: 'no longer pending' });
    assert.deepEqual(await row(idle), { state: 'queued', attempts: 0, reply: null }, 'never claimed: finish changes nothing');
    // A finished row is never claimed again, even after its lease would have run out.
    assert.deepEqual((await queue.claimDue(T + 2 * LEASE, 10, LEASE)).map((r) => r.id), [idleRow]);
  });

  test(`${name}: a rescheduled row waits until its time, with the error kept and the attempt counted`, async (t) => {
    const { queue, add } = await setup(t);
    const id = await add('grey@example.com');
    const rowId = await queue.enqueue(id, T);
    await queue.claimDue(T, 1, LEASE);
    await queue.reschedule(rowId, T + 1, T + 30_000, '451 4.7.1 greylisted');
    assert.deepEqual(await queue.forSubscriber(id), [
      { id: rowId, subscriberId: id, state: 'queued', attempts: 1, requestedAt: T, nextAttemptAt: T + 30_000, lastError: '451 4.7.1 greylisted', reply: null },
    ]);
    assert.equal(await queue.nextDueAt(), T + 30_000);
    assert.deepEqual(await queue.claimDue(T + 29_999, 1, LEASE), []);
    assert.deepEqual((await queue.claimDue(T + 30_000, 1, LEASE)).map((r) => [r.id, r.attempts, r.requestedAt]), [[rowId, 1, T]]);
  });

  test(`${name}: a bounced confirmation fails its row and marks the subscriber bounced, with its event, at the queue's clock`, async (t) => {
    const { queue, subscribers, add } = await setup(t);
    const id = await add('gone@example.com');
    const rowId = await queue.enqueue(id, T);
    await queue.claimDue(T, 1, LEASE);
    await queue.failBounced(rowId, T + 1, '550 5.1.1 no such user');
    const [row] = await queue.forSubscriber(id);
    assert.deepEqual({ state: row?.state, attempts: row?.attempts, reply: row?.reply }, { state: 'failed', attempts: 1, reply: '550 5.1.1 no such user' });
    assert.equal((await subscribers.byId(id))?.status, 'bounced');
    assert.deepEqual((await subscribers.events('gone@example.com')).at(-1), {
      at: new Date(T).toISOString(),
      from: 'pending',
      to: 'bounced',
      reason: 'confirmation email bounced: 550 5.1.1 no such user',
      via: 'bounce',
    });
  });

  test(`${name}: a bounce reported after the row was finished elsewhere still marks the address bounced, and leaves the row as it was`, async (t) => {
    const { queue, subscribers, add } = await setup(t);
    const id = await add('late@example.com');
    const rowId = await queue.enqueue(id, T);
    await queue.claimDue(T, 1, LEASE);
    // Another server, after this one's lease ran out, claimed the row again and gave up on it.
    await queue.finish(rowId, 'skipped', T + 1, 'given up', false);
    await queue.failBounced(rowId, T + 2, '550 5.1.1 no such user');
    const [row] = await queue.forSubscriber(id);
    assert.deepEqual({ state: row?.state, reply: row?.reply }, { state: 'skipped', reply: 'given up' });
    // The 5xx is a fact about the address, whoever holds the row.
    assert.equal((await subscribers.byId(id))?.status, 'bounced');
  });

  test(`${name}: erasing a subscriber erases their rows; finished rows are pruned, queued and claimed ones never`, async (t) => {
    const { queue, subscribers, add } = await setup(t);
    const gone = await add('gone@example.com');
    const kept = await add('kept@example.com');
    const busy = await add('busy@example.com');
    await queue.enqueue(gone, T);
    const finished = await queue.enqueue(kept, T);
    await queue.enqueue(busy, T);
    assert.equal((await queue.claimDue(T, 3, LEASE)).length, 3);
    await queue.finish(finished, 'sent', T, '250 ok', true);
    await queue.enqueue(kept, T + 1);
    assert.equal(await subscribers.purge('gone@example.com'), true);
    assert.deepEqual(await queue.forSubscriber(gone), []);
    assert.equal(await queue.prune(T), 0, 'only rows requested before the cut-off');
    assert.equal(await queue.prune(T + 10), 1, 'the sent row');
    assert.deepEqual((await queue.forSubscriber(kept)).map((r) => r.state), ['queued']);
    assert.deepEqual((await queue.forSubscriber(busy)).map((r) => r.state), ['sending']);
  });
}
