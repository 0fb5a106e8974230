/**
 * What every Ledger must do, whatever the database (issue 6, issue 15): planning freezes the list, claims never
 * overlap, results land in the right state, a bounce commits with its row. SQLite runs it in ledger.test.ts,
 * PostgreSQL in pg-ledger.test.ts, each through its own `make`.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Ledger } from '../../src/store/ledger/ledger.ts';
import { AlreadySentError, type NewSend } from '../../src/store/ledger/records.ts';
import type { SubscriberStore } from '../../src/subscribers/subscriber.ts';
import { parseSegment } from '../../src/audience/segment-parse.ts';
import type { Segment } from '../../src/audience/segment-ast.ts';
import { EmptyAudienceError } from '../../src/store/ledger/audience-sql.ts';

/** A delivery row's columns that no report shows. */
export interface StoredDelivery {
  state: string;
  reply: string | null;
  message_id: string | null;
  run_id: number | null;
}

export interface LedgerHarness {
  ledger: Ledger;
  /** The subscriber store on the same database, its clock at `now`. */
  subscribers: SubscriberStore;
  /** Another ledger on a connection of its own to the same database: what a second sending process sees. */
  another(): Promise<Ledger>;
  /** The delivery row of a subscriber (there is one send), as stored. */
  delivery(subscriberId: number): Promise<StoredDelivery | undefined>;
  /** Seeds, in plain SQL: the subscriber has these tags. */
  tag(subscriberId: number, ...tags: string[]): Promise<void>;
  /** Seeds, in plain SQL: the subscriber left this topic. */
  leaveTopic(subscriberId: number, topic: string): Promise<void>;
}

export interface MakeOptions {
  now: () => Date;
  /** Recording a bounce fails after the subscriber's status was changed, in the ledger's transaction. */
  bounceFails?: boolean;
}

/** Makes an empty database, its ledger and subscriber store; cleans up after the test. */
export type MakeLedger = (t: TestContext, options: MakeOptions) => Promise<LedgerHarness>;

const ISSUE: NewSend = { slug: 'on-power', issueFile: 'issues/2026-10-01-on-power.md', subject: 'On power', sourceHash: 'h1', html: '<p>x</p>', text: 'x', placeholderPrefix: 'nlmerge0' };
const T0 = Date.parse('2026-11-01T10:00:00Z');
const RUN = { pid: 1, host: 'here', transport: 'test' };

/** `active` subscribers plus one of each other status; returns the active ids. */
async function list(store: SubscriberStore, active: number): Promise<number[]> {
  await store.importMany(
    Array.from({ length: active }, (_, i) => ({ email: `r${i}@example.org`, emailNormalized: `r${i}@example.org`, name: `Reader ${i}`, attributes: {} })),
    'test',
  );
  for (const status of ['pending', 'unsubscribed', 'bounced', 'complained'] as const) {
    await store.add({ email: `${status}@example.org`, emailNormalized: `${status}@example.org`, name: '', status, source: 'cli', reason: 'test' });
  }
  return (await store.list({ status: 'active' })).map((s) => s.id);
}

const segment = (text: string): Segment => ({ text, ast: parseSegment(text) });

export function ledgerContract(name: string, make: MakeLedger): void {
  const setup = (t: TestContext, options: Partial<MakeOptions> = {}) => make(t, { now: () => new Date(T0), ...options });

  /** Five active readers tagged a, a+b, b, none, a; the unsubscribed one tagged a too. Returns the active ids. */
  const tagged = async (h: LedgerHarness): Promise<number[]> => {
    const ids = await list(h.subscribers, 5);
    const tags: string[][] = [['a'], ['a', 'b'], ['b'], [], ['a']];
    for (const [i, id] of ids.entries()) await h.tag(id, ...tags[i]!);
    const unsubscribed = await h.subscribers.get('unsubscribed@example.org');
    await h.tag(unsubscribed!.id, 'a');
    return ids;
  };

  test(`${name}: a segment send freezes only the active subscribers it matches, and its row keeps the segment and topic`, async (t) => {
    const h = await setup(t);
    const ids = await tagged(h);
    const { send, created } = await h.ledger.plan(ISSUE, T0, { audience: { segment: segment('tag:a and not tag:b'), topic: 'weekly' } });
    assert.equal(created, true);
    assert.equal(send.recipients, 2);
    assert.deepEqual({ segment: send.segment, topic: send.topic }, { segment: 'tag:a and not tag:b', topic: 'weekly' });
    assert.deepEqual((await h.ledger.latestSend(ISSUE.slug))?.segment, 'tag:a and not tag:b');
    assert.deepEqual((await h.ledger.sends())[0]?.topic, 'weekly');
    // Tagged after planning: not part of this send, the list was frozen.
    await h.tag(ids[3]!, 'a');
    const claimed = await h.ledger.commit(send.id, await h.ledger.startRun(send.id, RUN, T0), [], 100, T0);
    assert.deepEqual(claimed.map((c) => c.subscriberId), [ids[0], ids[4]]);
  });

  test(`${name}: a plain send still goes to every active subscriber, tags or not; its row has no segment or topic`, async (t) => {
    const h = await setup(t);
    await tagged(h);
    const { send } = await h.ledger.plan(ISSUE, T0);
    assert.equal(send.recipients, 5);
    assert.deepEqual({ segment: send.segment, topic: send.topic }, { segment: null, topic: null });
  });

  test(`${name}: a topic's send skips those who left that topic, not those who left another; intersected with a segment`, async (t) => {
    const h = await setup(t);
    const ids = await tagged(h);
    await h.leaveTopic(ids[0]!, 'alerts');
    await h.leaveTopic(ids[1]!, 'weekly');
    const weekly = await h.ledger.plan(ISSUE, T0, { audience: { topic: 'weekly' } });
    assert.equal(weekly.send.recipients, 4);
    assert.equal((await h.delivery(ids[1]!)), undefined, 'left weekly: no row');
    const alerts = await h.ledger.plan({ ...ISSUE, slug: 'alerts-1' }, T0, { audience: { topic: 'alerts', segment: segment('tag:a') } });
    assert.equal(alerts.send.recipients, 2, 'tag:a (0, 1, 4) minus 0, who left alerts');
    const preview = await h.ledger.previewAudience({ topic: 'alerts', segment: segment('tag:a') }, 5);
    assert.deepEqual(preview.sample, ['r1@example.org', 'r4@example.org']);
  });

  test(`${name}: a segment that matches nobody plans nothing and says so`, async (t) => {
    const h = await setup(t);
    await tagged(h);
    const nobody = { segment: segment('tag:a and tag:b and not tag:a') };
    await assert.rejects(h.ledger.plan(ISSUE, T0, { audience: nobody }), (e: unknown) => e instanceof EmptyAudienceError && /the segment "tag:a and tag:b and not tag:a" matches no active subscriber/.test(e.message));
    assert.equal(await h.ledger.latestSend(ISSUE.slug), null, 'no send left behind');
    assert.equal((await h.ledger.plan(ISSUE, T0)).send.recipients, 5);
  });

  test(`${name}: planning again resumes the frozen rows whatever segment is asked for now`, async (t) => {
    const h = await setup(t);
    await tagged(h);
    const first = await h.ledger.plan(ISSUE, T0, { audience: { segment: segment('tag:b') } });
    const again = await h.ledger.plan(ISSUE, T0 + 1, { audience: { segment: segment('tag:a') } });
    assert.equal(again.created, false);
    assert.equal(again.send.id, first.send.id);
    assert.equal(again.send.segment, 'tag:b');
    assert.equal((await h.ledger.counts(first.send.id)).queued, 2);
  });

  test(`${name}: previewing an audience counts it, samples it in subscriber order and names unknown tags`, async (t) => {
    const h = await setup(t);
    await tagged(h);
    await h.tag((await h.subscribers.get('r3@example.org'))!.id, 'zeta');
    const preview = await h.ledger.previewAudience({ segment: segment('tag:a or tag:nope or tag:gone') }, 2);
    assert.deepEqual(preview, { count: 3, sample: ['r0@example.org', 'r1@example.org'], unknownTags: ['nope', 'gone'], knownTags: ['a', 'b', 'zeta'] });
    assert.deepEqual(await h.ledger.previewAudience({ segment: segment('tag:b') }, 5), { count: 2, sample: ['r1@example.org', 'r2@example.org'], unknownTags: [], knownTags: [] });
    assert.equal((await h.ledger.previewAudience({}, 0)).count, 5);
  });

  test(`${name}: planning freezes one queued row per active subscriber; planning again resumes the same send`, async (t) => {
    const { ledger, subscribers: store } = await setup(t);
    const ids = await list(store, 5);
    const first = await ledger.plan(ISSUE, T0);
    assert.equal(first.created, true);
    assert.equal(first.send.recipients, 5);
    assert.deepEqual(await ledger.counts(first.send.id), { queued: 5, sending: 0, sent: 0, retry: 0, failed: 0, in_doubt: 0, suppressed: 0 });
    // Someone joining after planning is not part of this send: the list was frozen.
    await store.add({ email: 'late@example.org', emailNormalized: 'late@example.org', name: '', status: 'active', source: 'cli', reason: 'test' });
    const again = await ledger.plan(ISSUE, T0 + 1);
    assert.equal(again.created, false);
    assert.equal(again.send.id, first.send.id);
    assert.equal((await ledger.counts(first.send.id)).queued, 5);
    const claimed = await ledger.commit(first.send.id, await ledger.startRun(first.send.id, RUN, T0), [], 100, T0);
    assert.deepEqual(claimed.map((c) => c.subscriberId), ids, 'claimed in subscriber order, only those frozen');
  });

  test(`${name}: a finished send is not planned again without force; force plans a new send to everyone active`, async (t) => {
    const { ledger, subscribers } = await setup(t);
    const ids = await list(subscribers, 2);
    const { send } = await ledger.plan(ISSUE, T0);
    const run = await ledger.startRun(send.id, RUN, T0);
    await ledger.commit(send.id, run, [], 2, T0);
    assert.equal(await ledger.finishIfDone(send.id, T0), false, 'rows in flight: not finished');
    await ledger.commit(send.id, run, ids.map((id) => ({ subscriberId: id, state: 'sent' as const, reply: '250 ok', messageId: `<${id}@x>` })), 0, T0 + 5);
    assert.equal(await ledger.finishIfDone(send.id, T0 + 5), true);
    await assert.rejects(ledger.plan(ISSUE, T0 + 10), AlreadySentError);
    const forced = await ledger.plan(ISSUE, T0 + 10, { force: true });
    assert.equal(forced.created, true);
    assert.notEqual(forced.send.id, send.id);
    assert.equal((await ledger.counts(forced.send.id)).queued, 2);
  });

  test(`${name}: claims mark rows sending, at most the number wanted; results record reply and Message-ID`, async (t) => {
    const { ledger, subscribers: store, delivery } = await setup(t);
    const ids = await list(store, 4);
    const { send } = await ledger.plan(ISSUE, T0);
    const run = await ledger.startRun(send.id, RUN, T0);
    const claimed = await ledger.commit(send.id, run, [], 3, T0);
    assert.equal(claimed.length, 3);
    const tokenKey = (await store.byId(ids[0]!))!.tokenKey;
    assert.deepEqual(claimed[0], { subscriberId: ids[0], previous: 'queued', email: 'r0@example.org', name: 'Reader 0', tokenKey, attempts: 1, firstAttemptAt: T0 });
    assert.equal((await ledger.counts(send.id)).sending, 3);
    await ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'sent', reply: '250 2.0.0 queued as ABC', messageId: '<m0@x>' }], 0, T0 + 1);
    assert.deepEqual(await delivery(ids[0]!), { state: 'sent', reply: '250 2.0.0 queued as ABC', message_id: '<m0@x>', run_id: null });
    // A result for a row that is not `sending` (already settled) changes nothing: a late duplicate report cannot undo a send.
    await ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'retry', reply: '451 late', nextAttemptAt: T0 }], 0, T0 + 2);
    assert.equal((await delivery(ids[0]!))?.state, 'sent');
  });

  test(`${name}: the times messages went out, across sends, for the hourly cap; and which Message-ID went to whom`, async (t) => {
    const { ledger, subscribers } = await setup(t);
    const ids = await list(subscribers, 3);
    const { send } = await ledger.plan(ISSUE, T0);
    const run = await ledger.startRun(send.id, RUN, T0);
    await ledger.commit(send.id, run, [], 3, T0);
    await ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'sent', reply: '250 ok', messageId: '<a@x>' }], 0, T0 + 10);
    await ledger.commit(send.id, run, [{ subscriberId: ids[1]!, state: 'sent', reply: '250 ok', messageId: '<b@x>' }], 0, T0 + 20);
    await ledger.commit(send.id, run, [{ subscriberId: ids[2]!, state: 'retry', reply: '451 later', nextAttemptAt: T0 + 99 }], 0, T0 + 30);
    assert.deepEqual((await ledger.sentTimesSince(T0)).sort(), [T0 + 10, T0 + 20]);
    assert.deepEqual(await ledger.sentTimesSince(T0 + 15), [T0 + 20]);
    assert.equal(await ledger.sentMessage(ids[0]!, '<a@x>'), true);
    assert.equal(await ledger.sentMessage(ids[1]!, '<a@x>'), false, "another subscriber's message");
    assert.equal(await ledger.sentMessage(ids[2]!, '<c@x>'), false);
  });

  test(`${name}: an unsubscribe after planning is honoured at the next claim: the row becomes suppressed, never sending`, async (t) => {
    const { ledger, subscribers: store, delivery } = await setup(t);
    const ids = await list(store, 3);
    const { send } = await ledger.plan(ISSUE, T0);
    const run = await ledger.startRun(send.id, RUN, T0);
    assert.equal((await ledger.commit(send.id, run, [], 1, T0)).length, 1);
    await store.setStatus('r1@example.org', 'unsubscribed', 'one-click', 'one-click');
    const next = await ledger.commit(send.id, run, [], 2, T0 + 1);
    assert.deepEqual(next.map((c) => c.subscriberId), [ids[2]]);
    const row = await delivery(ids[1]!);
    assert.deepEqual({ state: row?.state, reply: row?.reply }, { state: 'suppressed', reply: 'the subscriber is unsubscribed' });
  });

  test(`${name}: a permanent failure with bounce marks the subscriber bounced, with an event saying why`, async (t) => {
    const { ledger, subscribers: store } = await setup(t);
    const ids = await list(store, 1);
    const { send } = await ledger.plan(ISSUE, T0);
    const run = await ledger.startRun(send.id, RUN, T0);
    await ledger.commit(send.id, run, [], 1, T0);
    await ledger.commit(send.id, run, [{ subscriberId: ids[0]!, state: 'failed', reply: '550 5.1.1 user unknown', bounce: true }], 0, T0 + 1);
    assert.equal((await ledger.counts(send.id)).failed, 1);
    assert.equal((await store.get('r0@example.org'))?.status, 'bounced');
    const event = (await store.events('r0@example.org')).at(-1);
    assert.deepEqual({ to: event?.to, via: event?.via, reason: event?.reason }, { to: 'bounced', via: 'bounce', reason: '550 5.1.1 user unknown' });
  });

  test(`${name}: a bounce marks the subscriber with its event at the ledger clock; a second bounce writes nothing`, async (t) => {
    const { ledger, subscribers: store } = await setup(t);
    await store.importMany([{ email: 'a@example.org', emailNormalized: 'a@example.org', name: 'A', attributes: {} }], 'test');
    const id = (await store.get('a@example.org'))!.id;
    const { send } = await ledger.plan(ISSUE, T0);
    const run = await ledger.startRun(send.id, RUN, T0);
    await ledger.commit(send.id, run, [], 1, T0);
    await ledger.commit(send.id, run, [{ subscriberId: id, state: 'failed', reply: '550 5.1.1 user unknown', bounce: true }], 0, T0 + 5);
    assert.equal((await store.byId(id))?.status, 'bounced');
    const event = (await store.events('a@example.org')).at(-1);
    assert.deepEqual(
      { from: event?.from, to: event?.to, via: event?.via, reason: event?.reason, at: event?.at },
      { from: 'active', to: 'bounced', via: 'bounce', reason: '550 5.1.1 user unknown', at: new Date(T0 + 5).toISOString() },
    );
    // A second bounce of a subscriber no longer active changes nothing and writes no event.
    assert.equal(await store.markBounced(id, 'again', new Date(T0 + 6)), false);
    assert.equal((await store.events('a@example.org')).length, 2);
  });

  test(`${name}: when recording the bounce fails, the delivery row is not recorded either`, async (t) => {
    const { ledger, subscribers: store } = await setup(t, { bounceFails: true });
    await store.importMany([{ email: 'a@example.org', emailNormalized: 'a@example.org', name: 'A', attributes: {} }], 'test');
    const id = (await store.get('a@example.org'))!.id;
    const { send } = await ledger.plan(ISSUE, T0);
    const run = await ledger.startRun(send.id, RUN, T0);
    await ledger.commit(send.id, run, [], 1, T0);
    await assert.rejects(ledger.commit(send.id, run, [{ subscriberId: id, state: 'failed', reply: '550 5.1.1', bounce: true }], 0, T0 + 5), /subscriber store failed/);
    assert.equal((await ledger.counts(send.id)).sending, 1);
    assert.equal((await ledger.counts(send.id)).failed, 0);
    assert.equal((await store.byId(id))?.status, 'active');
    assert.equal((await store.events('a@example.org')).length, 1);
  });

  test(`${name}: a retry waits until it is due, then comes before the queue; an unclaimed row gets its attempt back`, async (t) => {
    const { ledger, subscribers } = await setup(t);
    const ids = await list(subscribers, 3);
    const { send } = await ledger.plan(ISSUE, T0);
    const run = await ledger.startRun(send.id, RUN, T0);
    await ledger.commit(send.id, run, [], 2, T0);
    await ledger.commit(
      send.id,
      run,
      [
        { subscriberId: ids[0]!, state: 'retry', reply: '451 try later', nextAttemptAt: T0 + 60_000 },
        { subscriberId: ids[1]!, state: 'queued', reply: '535 auth' },
      ],
      0,
      T0 + 1,
    );
    assert.equal(await ledger.nextRetryAt(send.id), T0 + 60_000);
    assert.deepEqual((await ledger.commit(send.id, run, [], 5, T0 + 2)).map((c) => [c.subscriberId, c.attempts, c.previous]), [
      [ids[1], 1, 'queued'],
      [ids[2], 1, 'queued'],
    ]);
    assert.deepEqual((await ledger.commit(send.id, run, [], 5, T0 + 60_000)).map((c) => [c.subscriberId, c.attempts, c.previous, c.firstAttemptAt]), [[ids[0], 2, 'retry', T0]]);
  });

  test(`${name}: a result that makes its row claimable again is claimed in the same commit, as if recorded first`, async (t) => {
    const { ledger, subscribers } = await setup(t);
    const ids = await list(subscribers, 3);
    const { send } = await ledger.plan(ISSUE, T0);
    const run = await ledger.startRun(send.id, RUN, T0);
    await ledger.commit(send.id, run, [], 2, T0);
    const claimed = await ledger.commit(
      send.id,
      run,
      [
        { subscriberId: ids[0]!, state: 'retry', reply: '451 at once', nextAttemptAt: T0 + 1 },
        { subscriberId: ids[1]!, state: 'queued', reply: 'not attempted' },
      ],
      3,
      T0 + 1,
    );
    assert.deepEqual(claimed.map((c) => [c.subscriberId, c.attempts, c.previous]), [
      [ids[0], 2, 'retry'],
      [ids[1], 1, 'queued'],
      [ids[2], 1, 'queued'],
    ]);
  });

  test(`${name}: rows left sending by a dead run become in_doubt on recovery; a live run keeps its rows`, async (t) => {
    const { ledger, subscribers } = await setup(t);
    await list(subscribers, 4);
    const { send } = await ledger.plan(ISSUE, T0);
    const dead = await ledger.startRun(send.id, { ...RUN, pid: 111 }, T0);
    const live = await ledger.startRun(send.id, { ...RUN, pid: 222 }, T0);
    await ledger.commit(send.id, dead, [], 2, T0);
    await ledger.commit(send.id, live, [], 1, T0);
    const moved = await ledger.recoverAbandoned(send.id, T0 + 1, (run) => run.pid === 222);
    assert.deepEqual(moved.map((m) => m.email), ['r0@example.org', 'r1@example.org']);
    assert.deepEqual(await ledger.counts(send.id), { queued: 1, sending: 1, sent: 0, retry: 0, failed: 0, in_doubt: 2, suppressed: 0 });
    assert.equal((await ledger.runs(send.id)).find((r) => r.id === dead)?.outcome, 'crashed');
    assert.equal(await ledger.requeueInDoubt(send.id, T0 + 2), 2);
    assert.equal((await ledger.counts(send.id)).queued, 3);
  });

  test(`${name}: two connections claiming at once never get the same row`, async (t) => {
    const { ledger: a, subscribers, another } = await setup(t);
    await list(subscribers, 200);
    const b = await another();
    const { send } = await a.plan(ISSUE, T0);
    const runA = await a.startRun(send.id, RUN, T0);
    const runB = await b.startRun(send.id, { ...RUN, pid: 2 }, T0);
    const seen = new Set<number>();
    let claimed = 0;
    for (let i = 0; i < 100; i++) {
      for (const [ledger, run] of [[a, runA], [b, runB]] as const) {
        for (const c of await ledger.commit(send.id, run, [], 3, T0 + i)) {
          assert.ok(!seen.has(c.subscriberId), `row ${c.subscriberId} claimed twice`);
          seen.add(c.subscriberId);
          claimed++;
        }
      }
    }
    assert.equal(claimed, 200);
  });
}
