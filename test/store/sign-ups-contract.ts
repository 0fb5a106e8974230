/**
 * What every SignUps must do, whatever the database (issue 12, findings 3 and 4; issue 15): the rules of
 * sign-up-decision.ts, each sign-up's status change and queue row committed together, at most one confirmation
 * email per address a day, and one subscriber and one email however many sign-ups for an address arrive at once.
 * SQLite runs it in sign-ups.test.ts, PostgreSQL in pg-stores.test.ts, each through its own `make`.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIRMATION_INTERVAL_MS, type ConfirmationQueue } from '../../src/store/confirmation-queue.ts';
import type { SignUps } from '../../src/store/stores.ts';
import type { Status, SubscriberStore } from '../../src/subscribers/subscriber.ts';

export interface SignUpsHarness {
  signUps: SignUps;
  /** The queue on the same database. */
  queue: ConfirmationQueue;
  /** The subscriber store on the same database, its clock at `now`. */
  subscribers: SubscriberStore;
}

/** Makes an empty database, its sign-ups, queue and subscriber store, their clock `now`; cleans up after the test. */
export type MakeSignUps = (t: TestContext, now: () => Date) => Promise<SignUpsHarness>;

const T = Date.parse('2026-11-25T10:00:00Z');
const DAY = CONFIRMATION_INTERVAL_MS;

export function signUpsContract(name: string, make: MakeSignUps): void {
  const setup = async (t: TestContext) => {
    const clock = { now: T };
    const h = await make(t, () => new Date(clock.now));
    const signUp = (email: string, at = clock.now, fullName = '') => h.signUps.signUp({ email, emailNormalized: email.toLowerCase(), name: fullName }, new Date(at));
    const states = async (email: string) => {
      const s = await h.subscribers.get(email.toLowerCase());
      return s ? (await h.queue.forSubscriber(s.id)).map((r) => r.state) : [];
    };
    const add = (email: string, status: Status) => h.subscribers.add({ email, emailNormalized: email, name: '', status, source: 'cli', reason: 'test' });
    return { ...h, clock, signUp, states, add };
  };

  test(`${name}: a new address becomes pending, with its event, and its confirmation email is queued, due at once`, async (t) => {
    const { signUp, subscribers, queue } = await setup(t);
    const result = await signUp('Ada@Example.com', T, 'Ada');
    assert.equal(result.queued, true);
    assert.deepEqual(result.queued && result.was, null);
    assert.deepEqual({ email: result.subscriber.email, status: result.subscriber.status, name: result.subscriber.name }, { email: 'Ada@Example.com', status: 'pending', name: 'Ada' });
    assert.deepEqual(await subscribers.events('ada@example.com'), [{ at: new Date(T).toISOString(), from: null, to: 'pending', reason: 'signed up on the web', via: 'form' }]);
    const claimed = await queue.claimDue(T, 10, 60_000);
    assert.deepEqual(
      claimed.map((c) => ({ subscriberId: c.subscriberId, email: c.email, status: c.status, requestedAt: c.requestedAt })),
      [{ subscriberId: result.subscriber.id, email: 'Ada@Example.com', status: 'pending', requestedAt: T }],
    );
  });

  test(`${name}: a sign-up repeated within 24 hours is not mailed again, its name left as it was; a day later it is`, async (t) => {
    const { signUp, states, subscribers } = await setup(t);
    await signUp('ada@example.com', T, 'Ada');
    const again = await signUp('ada@example.com', T + DAY - 1, 'Mallory');
    assert.deepEqual(again.queued ? 'queued' : again.why, 'a confirmation email was already queued in the last 24 hours');
    assert.deepEqual(await states('ada@example.com'), ['queued', 'skipped'], 'the refusal is recorded, not mailed');
    assert.equal((await subscribers.get('ada@example.com'))?.name, 'Ada');
    const later = await signUp('ada@example.com', T + DAY);
    assert.deepEqual(later.queued && later.was, 'pending');
    assert.deepEqual(await states('ada@example.com'), ['queued', 'skipped', 'queued']);
    assert.equal((await subscribers.events('ada@example.com')).length, 1, 'still pending: no new event');
  });

  test(`${name}: the daily limit counts emails that may have gone out: not refused ones, not skipped ones`, async (t) => {
    const { signUp, states, queue, add, subscribers } = await setup(t);
    await signUp('ada@example.com', T);
    const [row] = await queue.claimDue(T, 1, 60_000);
    await queue.finish(row!.id, 'failed', T, '550 no such user', true);
    assert.equal((await signUp('ada@example.com', T + 1)).queued, true, 'a refused email reached nobody');
    const [sent] = await queue.claimDue(T + 1, 1, 60_000);
    await queue.finish(sent!.id, 'in_doubt', T + 1, 'no reply', true);
    assert.equal((await signUp('ada@example.com', T + 2)).queued, false, 'an email in doubt may have arrived');
    // A sign-up refused while they were active wrote a skipped row: once they have left, it does not hold back the email.
    await add('bob@example.com', 'active');
    assert.equal((await signUp('bob@example.com', T)).queued, false);
    await subscribers.setStatus('bob@example.com', 'unsubscribed', 'one-click', 'one-click');
    assert.equal((await signUp('bob@example.com', T + 1)).queued, true);
    assert.deepEqual(await states('bob@example.com'), ['skipped', 'queued']);
  });

  test(`${name}: an active subscriber is not re-subscribed, nor a bounced or complained one; an unsubscribed one becomes pending again`, async (t) => {
    const { signUp, states, subscribers, add } = await setup(t);
    for (const status of ['active', 'bounced', 'complained', 'unsubscribed'] as const) await add(`${status}@example.com`, status);
    const active = await signUp('active@example.com');
    assert.deepEqual(active.queued ? 'queued' : active.why, 'already active');
    for (const status of ['bounced', 'complained'] as const) {
      const r = await signUp(`${status}@example.com`);
      assert.deepEqual(r.queued ? 'queued' : r.why, `${status}: never mailed from the form`);
    }
    for (const status of ['active', 'bounced', 'complained'] as const) {
      assert.equal((await subscribers.get(`${status}@example.com`))?.status, status, `${status} unchanged`);
      assert.equal((await subscribers.events(`${status}@example.com`)).length, 1, `${status}: no event`);
      assert.deepEqual(await states(`${status}@example.com`), ['skipped'], `${status}: nothing mailed`);
    }
    const back = await signUp('unsubscribed@example.com');
    assert.deepEqual(back.queued && back.was, 'unsubscribed');
    assert.equal((await subscribers.get('unsubscribed@example.com'))?.status, 'pending', 'only their own click makes them active');
    assert.deepEqual((await subscribers.events('unsubscribed@example.com')).at(-1), {
      at: new Date(T).toISOString(),
      from: 'unsubscribed',
      to: 'pending',
      reason: 'asked to subscribe again on the web',
      via: 'form',
    });
    assert.deepEqual(await states('unsubscribed@example.com'), ['queued']);
  });

  test(`${name}: a new link is mailed only to someone still pending, and within the daily limit`, async (t) => {
    const { signUps, signUp, states, subscribers } = await setup(t);
    const { subscriber } = await signUp('ada@example.com', T);
    const soon = await signUps.resendConfirmation(subscriber, new Date(T + 1));
    assert.deepEqual(soon.queued ? 'queued' : soon.why, 'a confirmation email was already queued in the last 24 hours');
    assert.equal((await signUps.resendConfirmation(subscriber, new Date(T + DAY))).queued, true);
    await subscribers.setStatus('ada@example.com', 'active', 'confirmed', 'form');
    // The subscriber as the expired link knew them (pending); the store knows better.
    const late = await signUps.resendConfirmation(subscriber, new Date(T + 3 * DAY));
    assert.deepEqual(late.queued ? 'queued' : late.why, 'active, no longer pending');
    assert.deepEqual(await states('ada@example.com'), ['queued', 'skipped', 'queued', 'skipped']);
  });

  test(`${name}: addPending adds a pending subscriber with their email queued; an address already on the list adds and queues nothing`, async (t) => {
    const { signUps, subscribers, states } = await setup(t);
    const ada = { email: 'Ada@Example.com', emailNormalized: 'ada@example.com', name: 'Ada', source: 'cli', reason: 'added with the CLI' };
    const added = await signUps.addPending(ada, new Date(T));
    assert.equal(added.status, 'pending');
    assert.deepEqual(await subscribers.events('ada@example.com'), [{ at: new Date(T).toISOString(), from: null, to: 'pending', reason: 'added with the CLI', via: 'cli' }]);
    assert.deepEqual(await states('ada@example.com'), ['queued']);
    await assert.rejects(signUps.addPending({ ...ada, email: 'ADA@example.com' }, new Date(T + 1)), /already on the list/);
    assert.deepEqual(await states('ada@example.com'), ['queued']);
    assert.equal((await subscribers.list()).length, 1);
  });

  test(`${name}: twenty sign-ups for one address at once leave one subscriber and one queued email`, async (t) => {
    const { signUp, states, subscribers } = await setup(t);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => signUp(i % 2 ? 'Ada@example.com' : 'ada@example.com', T + i)));
    assert.equal(results.filter((r) => r.queued).length, 1, 'one of them mailed');
    assert.equal((await subscribers.list()).length, 1);
    assert.equal(new Set(results.map((r) => r.subscriber.id)).size, 1, 'all about the same subscriber');
    const rows = await states('ada@example.com');
    assert.equal(rows.filter((s) => s === 'queued').length, 1);
    assert.equal(rows.filter((s) => s === 'skipped').length, 19, 'every other one recorded as refused');
    assert.equal((await subscribers.events('ada@example.com')).length, 1);
  });

  test(`${name}: the tags a sign-up asks for are given when its email is queued (a new address, or one pending again), never when it is refused`, async (t) => {
    const { signUps, subscribers, clock, add } = await setup(t);
    const ask = (email: string, tags: string[], at = clock.now) => signUps.signUp({ email, emailNormalized: email, name: '', tags }, new Date(at));
    await ask('new@example.com', ['weekly', 'alerts']);
    assert.deepEqual(await subscribers.tags('new@example.com'), ['alerts', 'weekly']);
    assert.deepEqual(
      (await subscribers.events('new@example.com')).map((e) => [e.from, e.to, e.reason, e.via]),
      [
        [null, 'pending', 'signed up on the web', 'form'],
        ['pending', 'pending', 'tag added: weekly', 'form'],
        ['pending', 'pending', 'tag added: alerts', 'form'],
      ],
    );
    await add('left@example.com', 'unsubscribed');
    await ask('left@example.com', ['weekly']);
    assert.deepEqual(await subscribers.tags('left@example.com'), ['weekly']);
    assert.deepEqual((await subscribers.events('left@example.com')).at(-1)?.reason, 'tag added: weekly');
    await add('reader@example.com', 'active');
    await ask('reader@example.com', ['weekly']);
    assert.deepEqual(await subscribers.tags('reader@example.com'), [], 'a stranger cannot tag an active reader');
    await ask('new@example.com', ['extra'], clock.now + 1000);
    assert.deepEqual(await subscribers.tags('new@example.com'), ['alerts', 'weekly'], 'refused within the day: nothing given');
  });

  test(`${name}: a sign-up keeps its consent on record; asking again replaces page, time and address, a refused request changes nothing`, async (t) => {
    const { signUps, subscribers, clock } = await setup(t);
    const consent = (page: string, at: number, ip: string) => ({ source: page, optedInAt: new Date(at).toISOString(), ip });
    const ask = (at: number, page: string, ip: string) =>
      signUps.signUp({ email: 'ada@example.com', emailNormalized: 'ada@example.com', name: '', consent: consent(page, at, ip) }, new Date(at));
    await ask(clock.now, 'https://example.org/news/first/', '203.0.113.0/24');
    const first = (await subscribers.get('ada@example.com'))!;
    assert.deepEqual([first.consentSource, first.optedInAt, first.consentIp], ['https://example.org/news/first/', new Date(T).toISOString(), '203.0.113.0/24']);
    await ask(T + 1000, 'https://example.org/news/second/', '198.51.100.0/24');
    assert.equal((await subscribers.get('ada@example.com'))?.consentSource, 'https://example.org/news/first/', 'refused within the day: the first request stands');
    await ask(T + DAY, 'https://example.org/news/second/', '198.51.100.0/24');
    const again = (await subscribers.get('ada@example.com'))!;
    assert.deepEqual([again.consentSource, again.optedInAt, again.consentIp], ['https://example.org/news/second/', new Date(T + DAY).toISOString(), '198.51.100.0/24']);
  });
}
