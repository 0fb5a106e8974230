/**
 * What every AutomationStore must do, whatever the database (issue 17): only triggers after a sequence is first seen
 * enrol, imports only when asked, each subscriber once; steps come due by their delays, skip those who left, and
 * queue each (step, subscriber) at most once. SQLite runs it in automations.test.ts, PostgreSQL in
 * pg-automations.test.ts, each through its own `make`. Every clock is injected: nothing sleeps.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { AutomationStore, QueueStep, StepContent } from '../../src/automation/automation-store.ts';
import type { Trigger } from '../../src/automation/trigger.ts';
import type { Ledger } from '../../src/store/ledger/ledger.ts';
import type { DeliveryResult } from '../../src/store/ledger/records.ts';
import type { Status, SubscriberStore } from '../../src/subscribers/subscriber.ts';

export interface AutomationHarness {
  automations: AutomationStore;
  /** The subscriber store on the same database, its clock the test's. */
  subscribers: SubscriberStore;
  ledger: Ledger;
  /** Another automation store on a connection of its own to the same database: a second worker. */
  another(): Promise<AutomationStore>;
}

/** Makes an empty database and its stores, the subscribers' clock `now`; cleans up after the test. */
export type MakeAutomations = (t: TestContext, options: { now: () => Date }) => Promise<AutomationHarness>;

const T0 = Date.parse('2026-11-01T10:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CONFIRMED: Trigger = { kind: 'confirmed' };
const VIP: Trigger = { kind: 'tag-added', tag: 'vip' };
const SEQ = 'onboarding';

const content = (slug: string, sourceHash = 'h1'): StepContent => ({
  slug,
  issueFile: `issues/${slug}.md`,
  subject: `Subject of ${slug}`,
  sourceHash,
  html: `<p>${slug} ${sourceHash}</p>`,
  text: `${slug} ${sourceHash}`,
  placeholderPrefix: 'nlmerge0',
  topic: null,
});

/** A test's world: its stores and a clock it moves by hand. */
async function world(t: TestContext, make: MakeAutomations) {
  let now = T0;
  const h = await make(t, { now: () => new Date(now) });
  const at = (ms: number) => (now = ms);
  const address = (name: string) => `${name}@example.org`;
  /** A reader added with this status through the CLI (`subscribers add`, with --confirmed for active). */
  const add = (name: string, status: Status, tags?: string[]) =>
    h.subscribers.add({ email: address(name), emailNormalized: address(name), name, status, source: 'cli', reason: 'test', ...(tags ? { tags } : {}) });
  const confirm = (name: string) => h.subscribers.setStatus(address(name), 'active', 'confirmed by email', 'form');
  return { ...h, at, add, confirm, address, now: () => now };
}

/** Sends every queued row of a send at `now`, through the ledger as the sender does; `outcome` picks each result. */
async function deliver(ledger: Ledger, sendId: number, now: number, outcome: (subscriberId: number) => 'sent' | 'failed' | 'in_doubt' = () => 'sent'): Promise<number[]> {
  const runId = await ledger.startRun(sendId, { pid: 1, host: 'here', transport: 'test' }, now);
  const claimed = await ledger.commit(sendId, runId, [], 1000, now);
  await ledger.commit(
    sendId,
    runId,
    claimed.map((c) => {
      const state = outcome(c.subscriberId);
      if (state === 'sent') return { subscriberId: c.subscriberId, state, reply: '250 ok', messageId: `<${c.subscriberId}@test>` };
      if (state === 'failed') return { subscriberId: c.subscriberId, state, reply: '550 no', bounce: false };
      return { subscriberId: c.subscriberId, state, reply: 'lost' };
    }),
    0,
    now,
  );
  await ledger.endRun(runId, 'done', now);
  return claimed.map((c) => c.subscriberId);
}

export function automationsContract(name: string, make: MakeAutomations): void {
  test(`${name}: events from before a sequence was first seen never enrol; a confirmation after it does`, async (t) => {
    const w = await world(t, make);
    await w.add('old', 'active');
    await w.add('waiting', 'pending');
    w.at(T0 + HOUR);
    assert.equal(await w.automations.ensureSequence(SEQ, w.now()), true);
    assert.equal(await w.automations.ensureSequence(SEQ, w.now() + DAY), false, 'the second sight changes nothing');
    w.at(T0 + 2 * HOUR);
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, w.now()), 0, 'the list as it was is not mailed');
    await w.confirm('waiting');
    w.at(T0 + 3 * HOUR);
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, w.now()), 1);
    assert.equal(await w.automations.enrolled(SEQ), 1);
  });

  test(`${name}: a sequence never ensured is ensured by its first enrol, which enrols nobody`, async (t) => {
    const w = await world(t, make);
    await w.add('old', 'active');
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, T0 + HOUR), 0);
    assert.equal(await w.automations.ensureSequence(SEQ, T0 + HOUR), false);
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, T0 + 2 * HOUR), 0);
  });

  test(`${name}: a confirmation (pending → active) and an address added already active enrol, each once however often enrol runs`, async (t) => {
    const w = await world(t, make);
    await w.automations.ensureSequence(SEQ, T0);
    await w.add('signed-up', 'pending');
    await w.confirm('signed-up');
    await w.add('added', 'active');
    await w.add('still-pending', 'pending');
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, T0), 2);
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, T0), 0, 'the same events read again enrol nobody twice');
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, T0 + DAY), 0);
    assert.equal(await w.automations.enrolled(SEQ), 2);
    assert.equal(await w.automations.enrolled('another'), 0);
  });

  test(`${name}: an import's readers do not enter a sequence, unless enrolImported asks for that import`, async (t) => {
    const w = await world(t, make);
    await w.automations.ensureSequence(SEQ, T0);
    const before = await w.automations.newestEventId();
    const rows = ['a', 'b', 'c'].map((n) => ({ email: w.address(n), emailNormalized: w.address(n), name: n, attributes: {}, ...(n === 'a' ? { tags: ['vip'] } : {}) }));
    await w.subscribers.importMany(rows, 'import:list.csv');
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, T0 + HOUR), 0);
    assert.equal(await w.automations.enrolImported(SEQ, CONFIRMED, 'import:other.csv', before, T0 + HOUR), 0, 'another file');
    assert.equal(await w.automations.enrolImported(SEQ, CONFIRMED, 'import:list.csv', await w.automations.newestEventId(), T0 + HOUR), 0, 'after the import');
    assert.equal(await w.automations.enrolImported(SEQ, CONFIRMED, 'import:list.csv', before, T0 + HOUR), 3);
    assert.equal(await w.automations.enrolImported('vips', VIP, 'import:list.csv', before, T0 + HOUR), 1, 'only the reader the import tagged');
    assert.equal(await w.automations.enrolImported(SEQ, CONFIRMED, 'import:list.csv', before, T0 + HOUR), 0, 'once');
  });

  test(`${name}: tag-added enrols a tag given while active, and a confirmation of a reader given the tag while pending`, async (t) => {
    const w = await world(t, make);
    await w.automations.ensureSequence('vips', T0);
    await w.add('tagged-later', 'active');
    await w.add('other-tag', 'active');
    await w.add('form-tagged', 'pending', ['vip']);
    await w.add('form-untagged', 'pending');
    await w.add('pending-tagged', 'pending', ['vip']);
    await w.add('tagged-and-untagged', 'active');
    w.at(T0 + MINUTE);
    await w.subscribers.addTags(w.address('tagged-later'), ['vip'], 'cli');
    await w.subscribers.addTags(w.address('other-tag'), ['press'], 'cli');
    await w.subscribers.addTags(w.address('tagged-and-untagged'), ['vip'], 'cli');
    await w.subscribers.removeTags(w.address('tagged-and-untagged'), ['vip'], 'cli');
    await w.confirm('form-tagged');
    await w.confirm('form-untagged');
    assert.equal(await w.automations.enrol('vips', VIP, T0 + 2 * MINUTE), 2, 'tagged-later and form-tagged');
    const first = await w.automations.stepSend('vips:hello', content('hello'), T0 + 2 * MINUTE);
    const queued = await w.automations.queueStep({ sequence: 'vips', sendId: first.id, previousSendId: null, delayMs: 0, topic: null, now: T0 + 2 * MINUTE });
    assert.equal(queued, 2);
    const rows = (await w.ledger.rows(first.id, 'queued')).map((r) => r.email).sort();
    assert.deepEqual(rows, [w.address('form-tagged'), w.address('tagged-later')]);
  });

  test(`${name}: a reader who is no longer active when enrol runs is not enrolled, nor later once the cursor has passed`, async (t) => {
    const w = await world(t, make);
    await w.automations.ensureSequence(SEQ, T0);
    await w.add('gone', 'pending');
    await w.confirm('gone');
    await w.subscribers.setStatus(w.address('gone'), 'unsubscribed', 'clicked unsubscribe', 'one-click');
    w.at(T0 + HOUR);
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, w.now()), 0);
    // Back through the preferences page: not a confirmation, and the old one is behind the cursor now.
    await w.subscribers.setStatus(w.address('gone'), 'active', 'resubscribed', 'form');
    w.at(T0 + 2 * HOUR);
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, w.now()), 0);
    assert.equal(await w.automations.enrolled(SEQ), 0);
  });

  test(`${name}: the first step comes due its delay after enrolment, a later one its delay after the previous step settled`, async (t) => {
    const w = await world(t, make);
    await w.automations.ensureSequence(SEQ, T0);
    const reader = await w.add('reader', 'active');
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, T0), 1);
    const welcome = await w.automations.stepSend(`${SEQ}:welcome`, content('welcome'), T0);
    const second = await w.automations.stepSend(`${SEQ}:second`, content('second'), T0);
    const first: QueueStep = { sequence: SEQ, sendId: welcome.id, previousSendId: null, delayMs: HOUR, topic: null, now: T0 + HOUR - 1 };
    const next: QueueStep = { sequence: SEQ, sendId: second.id, previousSendId: welcome.id, delayMs: 3 * DAY, topic: null, now: T0 + HOUR - 1 };
    assert.equal(await w.automations.queueStep(first), 0, 'not yet an hour');
    assert.equal(await w.automations.queueStep({ ...first, now: T0 + HOUR }), 1);
    assert.equal(await w.automations.queueStep({ ...first, now: T0 + 2 * HOUR }), 0, 'queued once');
    assert.equal((await w.ledger.send(welcome.id))!.recipients, 1);
    assert.equal(await w.automations.queueStep({ ...next, now: T0 + 10 * DAY }), 0, 'the welcome has not gone yet');
    const sentAt = T0 + 2 * HOUR;
    assert.deepEqual(await deliver(w.ledger, welcome.id, sentAt), [reader.id]);
    assert.equal(await w.automations.queueStep({ ...next, now: sentAt + 3 * DAY - 1 }), 0, 'three days after the welcome, not after enrolment');
    assert.equal(await w.automations.queueStep({ ...next, now: sentAt + 3 * DAY }), 1);
    assert.equal(await w.automations.queueStep({ ...next, now: sentAt + 4 * DAY }), 0);
    assert.deepEqual((await w.ledger.rows(second.id, 'queued')).map((r) => r.subscriberId), [reader.id]);
  });

  test(`${name}: a step skips readers who unsubscribed, bounced, complained or left the topic`, async (t) => {
    const w = await world(t, make);
    await w.automations.ensureSequence(SEQ, T0);
    await w.automations.ensureSequence('plain', T0);
    for (const n of ['stays', 'unsubscribes', 'bounces', 'complains', 'leaves']) await w.add(n, 'active');
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, T0), 5);
    assert.equal(await w.automations.enrol('plain', CONFIRMED, T0), 5);
    await w.subscribers.setStatus(w.address('unsubscribes'), 'unsubscribed', 'clicked unsubscribe', 'one-click');
    await w.subscribers.markBounced((await w.subscribers.get(w.address('bounces')))!.id, '550 5.1.1 no such user');
    await w.subscribers.setStatus(w.address('complains'), 'complained', 'marked as spam', 'complaint-report');
    await w.subscribers.leaveTopic(w.address('leaves'), 'essays', 'one-click');
    const step = await w.automations.stepSend(`${SEQ}:welcome`, { ...content('welcome'), topic: 'essays' }, T0);
    assert.equal(step.topic, 'essays');
    assert.equal(await w.automations.queueStep({ sequence: SEQ, sendId: step.id, previousSendId: null, delayMs: 0, topic: 'essays', now: T0 + MINUTE }), 1);
    assert.deepEqual((await w.ledger.rows(step.id, 'queued')).map((r) => r.email), [w.address('stays')]);
    assert.deepEqual(await w.automations.stepCounts(SEQ, step.id, 'essays'), { waiting: 1, sent: 0, skipped: 4, failed: 0, inDoubt: 0 });
    // Without the topic, the reader who left it is still owed the step.
    const plain = await w.automations.stepSend('plain:welcome', content('welcome'), T0);
    assert.equal(await w.automations.queueStep({ sequence: 'plain', sendId: plain.id, previousSendId: null, delayMs: 0, topic: null, now: T0 + MINUTE }), 2);
  });

  test(`${name}: two workers queueing one step at once queue each reader once`, async (t) => {
    const w = await world(t, make);
    const other = await w.another();
    await w.automations.ensureSequence(SEQ, T0);
    const readers = 300;
    await w.subscribers.importMany(
      Array.from({ length: readers }, (_, i) => ({ email: w.address(`r${i}`), emailNormalized: w.address(`r${i}`), name: `r${i}`, attributes: {} })),
      'import:list.csv',
    );
    assert.equal(await w.automations.enrolImported(SEQ, CONFIRMED, 'import:list.csv', 0, T0), readers);
    const step = await w.automations.stepSend(`${SEQ}:welcome`, content('welcome'), T0);
    const queue = (store: AutomationStore) => store.queueStep({ sequence: SEQ, sendId: step.id, previousSendId: null, delayMs: 0, topic: null, now: T0 + MINUTE });
    const [a, b, c] = await Promise.all([queue(w.automations), queue(other), queue(w.automations)]);
    assert.equal(a + b + c, readers, `${a} + ${b} + ${c}`);
    assert.equal((await w.ledger.counts(step.id)).queued, readers);
    assert.equal((await w.ledger.send(step.id))!.recipients, readers);
  });

  test(`${name}: a step's standing send is made once by two workers at once, and takes a new version of the issue in place`, async (t) => {
    const w = await world(t, make);
    const other = await w.another();
    const key = `${SEQ}:welcome`;
    const [a, b] = await Promise.all([w.automations.stepSend(key, content('welcome'), T0), other.stepSend(key, content('welcome'), T0)]);
    assert.equal(a.id, b.id);
    assert.equal(a.automation, key);
    assert.equal(a.recipients, 0);
    assert.equal(a.finishedAt, null);
    assert.equal((await w.ledger.sends()).length, 1);
    const same = await w.automations.stepSend(key, { ...content('welcome'), html: '<p>rendered again</p>' }, T0 + HOUR);
    assert.equal(same.html, a.html, 'the same source hash: nothing to change');
    const fixed = await other.stepSend(key, content('welcome', 'h2'), T0 + DAY);
    assert.equal(fixed.id, a.id);
    assert.equal(fixed.sourceHash, 'h2');
    assert.equal(fixed.html, '<p>welcome h2</p>');
    assert.equal(fixed.createdAt, T0);
    assert.equal((await w.ledger.send(a.id))!.text, 'welcome h2');
    assert.equal((await w.ledger.sends()).length, 1);
    await assert.rejects(w.automations.stepSend('welcome', content('welcome'), T0), /key is "<sequence>:<step slug>", not "welcome"/);
    assert.equal((await w.ledger.sends()).length, 1);
  });

  test(`${name}: a step's counts add up to the sequence's readers`, async (t) => {
    const w = await world(t, make);
    await w.automations.ensureSequence(SEQ, T0);
    const names = ['sent', 'failed', 'doubt', 'suppressed', 'queued', 'later', 'gone-before'];
    for (const n of names) await w.add(n, 'active');
    assert.equal(await w.automations.enrol(SEQ, CONFIRMED, T0), names.length);
    const step = await w.automations.stepSend(`${SEQ}:welcome`, content('welcome'), T0);
    const id = async (n: string) => (await w.subscribers.get(w.address(n)))!.id;
    // 'later' is not due yet: moved out of the way of the first queueing by unsubscribing and coming back after it.
    await w.subscribers.setStatus(w.address('later'), 'unsubscribed', 'x', 'cli');
    await w.subscribers.setStatus(w.address('gone-before'), 'bounced', 'x', 'cli');
    assert.equal(await w.automations.queueStep({ sequence: SEQ, sendId: step.id, previousSendId: null, delayMs: 0, topic: null, now: T0 + MINUTE }), 5);
    await w.subscribers.setStatus(w.address('later'), 'active', 'back', 'cli');
    const outcomes = new Map([[await id('failed'), 'failed' as const], [await id('doubt'), 'in_doubt' as const]]);
    const queuedId = await id('queued');
    const suppressedId = await id('suppressed');
    // Deliver all but 'queued' and 'suppressed': their rows are put back by claiming only the others.
    const runId = await w.ledger.startRun(step.id, { pid: 1, host: 'here', transport: 'test' }, T0 + MINUTE);
    const claimed = await w.ledger.commit(step.id, runId, [], 1000, T0 + MINUTE);
    const results = claimed.map((c): DeliveryResult => {
      if (c.subscriberId === queuedId || c.subscriberId === suppressedId) return { subscriberId: c.subscriberId, state: 'queued', reply: 'not tried' };
      const state = outcomes.get(c.subscriberId) ?? 'sent';
      if (state === 'failed') return { subscriberId: c.subscriberId, state, reply: '550 no', bounce: false };
      if (state === 'in_doubt') return { subscriberId: c.subscriberId, state, reply: 'lost' };
      return { subscriberId: c.subscriberId, state, reply: '250 ok', messageId: `<${c.subscriberId}@test>` };
    });
    await w.ledger.commit(step.id, runId, results, 0, T0 + MINUTE);
    await w.ledger.endRun(runId, 'done', T0 + MINUTE);
    await w.subscribers.setStatus(w.address('suppressed'), 'unsubscribed', 'x', 'cli');
    assert.equal(await w.ledger.suppressInactive(step.id, T0 + 2 * MINUTE), 1);
    const counts = await w.automations.stepCounts(SEQ, step.id, null);
    // waiting: 'queued' (a row) and 'later' (none yet); skipped: 'suppressed' (a row) and 'gone-before' (none).
    assert.deepEqual(counts, { waiting: 2, sent: 1, skipped: 2, failed: 1, inDoubt: 1 });
    assert.equal(counts.waiting + counts.sent + counts.skipped + counts.failed + counts.inDoubt, await w.automations.enrolled(SEQ));
  });

  test(`${name}: a step's standing send is not the issue's broadcast, and is never finished`, async (t) => {
    const w = await world(t, make);
    await w.automations.ensureSequence(SEQ, T0);
    await w.add('reader', 'active');
    await w.automations.enrol(SEQ, CONFIRMED, T0);
    const step = await w.automations.stepSend(`${SEQ}:welcome`, content('welcome'), T0);
    assert.equal(await w.ledger.latestSend('welcome'), null, 'no broadcast of the issue yet');
    await w.automations.queueStep({ sequence: SEQ, sendId: step.id, previousSendId: null, delayMs: 0, topic: null, now: T0 });
    await deliver(w.ledger, step.id, T0 + MINUTE);
    assert.equal(await w.ledger.finishIfDone(step.id, T0 + MINUTE), false, 'readers still to come');
    assert.equal((await w.ledger.send(step.id))!.finishedAt, null);
    const { topic: _topic, ...issue }: StepContent = content('welcome');
    const broadcast = await w.ledger.plan(issue, T0 + HOUR);
    assert.equal(broadcast.created, true, 'a broadcast of the same issue is its own send');
    assert.notEqual(broadcast.send.id, step.id);
    assert.equal(broadcast.send.automation, null);
    assert.equal(broadcast.send.recipients, 1);
    assert.equal((await w.ledger.latestSend('welcome'))!.id, broadcast.send.id);
    await deliver(w.ledger, broadcast.send.id, T0 + HOUR);
    assert.equal(await w.ledger.finishIfDone(broadcast.send.id, T0 + HOUR), true);
    const sends = await w.ledger.sends();
    assert.deepEqual(sends.map((s) => [s.id, s.automation]), [[broadcast.send.id, null], [step.id, `${SEQ}:welcome`]]);
  });
}
