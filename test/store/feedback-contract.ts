/**
 * What every FeedbackStore must do, whatever the database (issue 18): match an event to its delivery by our
 * Message-ID or the provider's id from the 250 reply, never to a message this newsletter did not send; record each
 * event once; refuse a replayed nonce whole; suppress by the one policy (hard bounce and complaint at once, soft
 * bounces after 3 across different sends within 30 days, deferrals and deliveries never); drop raw payloads after
 * 30 days. SQLite runs it in feedback.test.ts, PostgreSQL in pg-feedback.test.ts. Every clock is injected.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedbackEvent, FeedbackKind, Provider } from '../../src/feedback/feedback-event.ts';
import type { FeedbackStore } from '../../src/feedback/feedback-store.ts';
import { DEFAULT_SOFT_BOUNCE_POLICY, type SoftBouncePolicy } from '../../src/feedback/suppression-policy.ts';
import type { Ledger } from '../../src/store/ledger/ledger.ts';
import type { SubscriberStore } from '../../src/subscribers/subscriber.ts';

export interface FeedbackHarness {
  feedback: FeedbackStore;
  subscribers: SubscriberStore;
  ledger: Ledger;
  /** The raw payloads kept, oldest event first. */
  raws(): Promise<(string | null)[]>;
}

export type MakeFeedback = (t: TestContext) => Promise<FeedbackHarness>;

const T0 = Date.parse('2026-11-01T10:00:00Z');
const DAY = 24 * 3_600_000;
const POLICY = DEFAULT_SOFT_BOUNCE_POLICY;

let sequence = 0;
const event = (kind: FeedbackKind, fields: Partial<FeedbackEvent> = {}): FeedbackEvent => ({
  kind,
  recipients: [],
  at: T0,
  messageId: null,
  providerMessageId: null,
  status: kind === 'hard-bounce' ? '5.1.1' : null,
  diagnostic: kind === 'hard-bounce' ? 'user unknown' : null,
  provider: 'sendgrid' as Provider,
  sourceKey: `event-${++sequence}`,
  raw: `{"n":${sequence}}`,
  ...fields,
});

/** A world with readers and one sent send per call of `send`, each message with a known Message-ID and 250 reply. */
async function world(t: TestContext, make: MakeFeedback) {
  const h = await make(t);
  const address = (name: string) => `${name}@example.org`;
  for (const name of ['ann', 'bob', 'cy']) {
    await h.subscribers.add({ email: address(name), emailNormalized: address(name), name, status: 'active', source: 'cli', reason: 'test' });
  }
  let sends = 0;
  /** Sends issue N to everyone; returns each reader's Message-ID and provider id by name. */
  const send = async (at: number) => {
    const n = ++sends;
    const { send } = await h.ledger.plan({ slug: `issue-${n}`, issueFile: `issues/issue-${n}.md`, subject: `Issue ${n}`, sourceHash: `h${n}`, html: '<p>x</p>', text: 'x', placeholderPrefix: 'nlmerge0' }, at);
    const run = await h.ledger.startRun(send.id, { pid: 1, host: 'here', transport: 'test' }, at);
    const claimed = await h.ledger.commit(send.id, run, [], 100, at);
    const ids = new Map<string, { messageId: string; providerId: string }>();
    for (const c of claimed) ids.set(c.email.split('@')[0]!, { messageId: `<s${n}.r${c.subscriberId}@news.example.org>`, providerId: `Q${n}X${c.subscriberId}ab` });
    await h.ledger.commit(
      send.id,
      run,
      claimed.map((c) => {
        const id = ids.get(c.email.split('@')[0]!)!;
        return { subscriberId: c.subscriberId, state: 'sent' as const, reply: `250 2.0.0 Ok: queued as ${id.providerId}`, messageId: id.messageId };
      }),
      0,
      at,
    );
    await h.ledger.endRun(run, 'done', at);
    return { sendId: send.id, ids };
  };
  const status = async (name: string) => (await h.subscribers.get(address(name)))!.status;
  const apply = async (events: FeedbackEvent[], now = T0, policy: SoftBouncePolicy = POLICY) => {
    const result = await h.feedback.apply(events, now, policy);
    assert.equal(result.replay, false);
    return result.replay ? [] : result.applied;
  };
  return { ...h, address, send, status, apply };
}

export function feedbackContract(name: string, make: MakeFeedback): void {
  test(`${name}: a hard bounce matched by our Message-ID suppresses at once, with the reader's event, and is counted on its send`, async (t) => {
    const w = await world(t, make);
    const { sendId, ids } = await w.send(T0);
    const [applied] = await w.apply([event('hard-bounce', { recipients: [w.address('ann')], messageId: ids.get('ann')!.messageId })]);
    assert.equal(applied!.outcome, 'suppressed');
    assert.equal(applied!.email, w.address('ann'));
    assert.equal(await w.status('ann'), 'bounced');
    assert.equal(await w.status('bob'), 'active');
    const last = (await w.subscribers.events(w.address('ann'))).at(-1)!;
    assert.equal(last.to, 'bounced');
    assert.match(last.reason, /5\.1\.1 user unknown/);
    assert.equal(last.via, 'sendgrid-bounce');
    const counts = (await w.feedback.sendFeedback([sendId])).get(sendId)!;
    assert.equal(counts['hard-bounce'], 1);
    assert.equal(counts.delivered, 0);
  });

  test(`${name}: an event carrying only the provider's id (from the 250 reply) finds its delivery; a complaint suppresses`, async (t) => {
    const w = await world(t, make);
    const { ids } = await w.send(T0);
    const [applied] = await w.apply([event('complaint', { provider: 'postmark', recipients: [w.address('bob')], providerMessageId: ids.get('bob')!.providerId })]);
    assert.equal(applied!.outcome, 'suppressed');
    assert.equal(await w.status('bob'), 'complained');
    assert.equal((await w.subscribers.events(w.address('bob'))).at(-1)!.via, 'postmark-complaint');
  });

  test(`${name}: returned mail (provider mailbox) keeps the via names bounces always wrote: bounce-report, complaint-report`, async (t) => {
    const w = await world(t, make);
    const { ids } = await w.send(T0);
    const applied = await w.apply([
      event('hard-bounce', { provider: 'mailbox', recipients: [w.address('ann')], messageId: ids.get('ann')!.messageId }),
      event('complaint', { provider: 'mailbox', recipients: [w.address('bob')], messageId: ids.get('bob')!.messageId }),
    ]);
    assert.deepEqual(applied.map((a) => a.outcome), ['suppressed', 'suppressed']);
    assert.equal((await w.subscribers.events(w.address('ann'))).at(-1)!.via, 'bounce-report');
    assert.equal((await w.subscribers.events(w.address('bob'))).at(-1)!.via, 'complaint-report');
  });

  test(`${name}: an event for a message this newsletter never sent changes nothing and is counted as unmatched`, async (t) => {
    const w = await world(t, make);
    const { ids } = await w.send(T0);
    const applied = await w.apply([
      event('hard-bounce', { recipients: [w.address('ann')], messageId: '<forged@elsewhere.example>' }),
      event('complaint', { recipients: [w.address('ann')], providerMessageId: 'NOPE1234' }),
      // The right Message-ID with another reader's address: not this reader's message.
      event('hard-bounce', { recipients: [w.address('cy')], messageId: ids.get('ann')!.messageId }),
      event('hard-bounce', { recipients: [w.address('ann')] }),
    ]);
    assert.deepEqual(applied.map((a) => a.outcome), ['unmatched', 'unmatched', 'unmatched', 'unmatched']);
    assert.match(applied[0]!.detail, /sent no message <forged@elsewhere\.example>/);
    for (const name of ['ann', 'bob', 'cy']) assert.equal(await w.status(name), 'active');
    const recent = await w.feedback.recent(T0 - 1);
    assert.equal(recent.filter((r) => !r.matched).reduce((n, r) => n + r.count, 0), 4);
    assert.equal(recent.filter((r) => r.matched).length, 0);
  });

  test(`${name}: the same event twice (a provider's retry) is recorded once`, async (t) => {
    const w = await world(t, make);
    const { sendId, ids } = await w.send(T0);
    const once = event('delivered', { recipients: [w.address('cy')], messageId: ids.get('cy')!.messageId });
    assert.equal((await w.apply([once]))[0]!.outcome, 'recorded');
    assert.equal((await w.apply([once]))[0]!.outcome, 'duplicate');
    assert.equal((await w.feedback.sendFeedback([sendId])).get(sendId)!.delivered, 1);
  });

  test(`${name}: a nonce seen before refuses the whole batch, which changes nothing; another provider's nonce is its own`, async (t) => {
    const w = await world(t, make);
    const { sendId, ids } = await w.send(T0);
    const nonce = { provider: 'mailgun' as Provider, value: 'token-1', expiresAt: T0 + 300_000 };
    const first = await w.feedback.apply([event('delivered', { recipients: [w.address('ann')], messageId: ids.get('ann')!.messageId })], T0, POLICY, { nonce });
    assert.equal(first.replay, false);
    const again = await w.feedback.apply([event('hard-bounce', { recipients: [w.address('ann')], messageId: ids.get('ann')!.messageId })], T0 + 1000, POLICY, { nonce });
    assert.equal(again.replay, true);
    assert.equal(await w.status('ann'), 'active');
    assert.equal((await w.feedback.sendFeedback([sendId])).get(sendId)!['hard-bounce'], 0);
    const other = await w.feedback.apply([], T0 + 1000, POLICY, { nonce: { ...nonce, provider: 'resend' } });
    assert.equal(other.replay, false);
    // Once expired, a nonce is forgotten (its timestamp is refused by then anyway).
    assert.equal((await w.feedback.apply([], T0 + 400_000, POLICY, { nonce })).replay, false);
  });

  test(`${name}: a dry run says what a batch would do and changes nothing`, async (t) => {
    const w = await world(t, make);
    const { sendId, ids } = await w.send(T0);
    const bounce = event('hard-bounce', { recipients: [w.address('ann')], messageId: ids.get('ann')!.messageId });
    const dry = await w.feedback.apply([bounce], T0, POLICY, { dryRun: true });
    assert.deepEqual(dry.replay ? [] : dry.applied.map((a) => a.outcome), ['suppressed']);
    assert.equal(await w.status('ann'), 'active');
    assert.equal((await w.feedback.sendFeedback([sendId])).get(sendId), undefined);
    assert.equal((await w.apply([bounce]))[0]!.outcome, 'suppressed', 'the dry run recorded nothing, so the real one applies');
  });

  test(`${name}: soft bounces suppress after 3 across different sends within 30 days, and only then`, async (t) => {
    const w = await world(t, make);
    const s1 = await w.send(T0);
    const s2 = await w.send(T0 + 5 * DAY);
    const s3 = await w.send(T0 + 10 * DAY);
    const soft = (s: typeof s1, at: number) => event('soft-bounce', { recipients: [w.address('ann')], messageId: s.ids.get('ann')!.messageId, at, status: '4.2.2', diagnostic: 'mailbox full' });
    let [a] = await w.apply([soft(s1, T0)], T0);
    assert.equal(a!.outcome, 'recorded');
    assert.match(a!.detail, /soft bounce 1 of 3/);
    // The same send bouncing again is still one send.
    [a] = await w.apply([soft(s1, T0 + DAY)], T0 + DAY);
    assert.match(a!.detail, /soft bounce 1 of 3/);
    [a] = await w.apply([soft(s2, T0 + 5 * DAY)], T0 + 5 * DAY);
    assert.match(a!.detail, /soft bounce 2 of 3/);
    assert.equal(await w.status('ann'), 'active');
    [a] = await w.apply([soft(s3, T0 + 10 * DAY)], T0 + 10 * DAY);
    assert.equal(a!.outcome, 'suppressed');
    assert.equal(await w.status('ann'), 'bounced');
    assert.match((await w.subscribers.events(w.address('ann'))).at(-1)!.reason, /3 soft bounces across different sends/);
  });

  test(`${name}: soft bounces older than the window do not count; the limit and window are the policy's`, async (t) => {
    const w = await world(t, make);
    const s1 = await w.send(T0);
    const s2 = await w.send(T0 + 20 * DAY);
    const s3 = await w.send(T0 + 40 * DAY);
    const soft = (s: typeof s1, at: number) => event('soft-bounce', { recipients: [w.address('bob')], messageId: s.ids.get('bob')!.messageId, at });
    await w.apply([soft(s1, T0)], T0);
    await w.apply([soft(s2, T0 + 20 * DAY)], T0 + 20 * DAY);
    const [late] = await w.apply([soft(s3, T0 + 40 * DAY)], T0 + 40 * DAY);
    assert.equal(late!.outcome, 'recorded', 'the first is more than 30 days before the third');
    assert.equal(await w.status('bob'), 'active');
    // With a limit of 2, the same history suppresses.
    const strict: SoftBouncePolicy = { limit: 2, windowMs: 30 * DAY };
    const s4 = await w.send(T0 + 41 * DAY);
    const [now] = await w.apply([soft(s4, T0 + 41 * DAY)], T0 + 41 * DAY, strict);
    assert.equal(now!.outcome, 'suppressed');
    assert.equal(await w.status('bob'), 'bounced');
  });

  test(`${name}: deliveries and deferrals never suppress; a provider's unsubscribe unsubscribes; a bounce after a complaint keeps the complaint`, async (t) => {
    const w = await world(t, make);
    const sends = [await w.send(T0), await w.send(T0 + DAY), await w.send(T0 + 2 * DAY), await w.send(T0 + 3 * DAY)];
    const applied = await w.apply(
      sends.flatMap((s) => [
        event('deferred', { recipients: [w.address('cy')], messageId: s.ids.get('cy')!.messageId, status: '4.7.0' }),
        event('delivered', { recipients: [w.address('cy')], messageId: s.ids.get('cy')!.messageId }),
      ]),
    );
    assert.ok(applied.every((a) => a.outcome === 'recorded'));
    assert.equal(await w.status('cy'), 'active');
    const [u] = await w.apply([event('unsubscribed', { provider: 'mailgun', recipients: [w.address('bob')], messageId: sends[0]!.ids.get('bob')!.messageId })]);
    assert.equal(u!.outcome, 'suppressed');
    assert.equal(await w.status('bob'), 'unsubscribed');
    await w.apply([event('complaint', { recipients: [w.address('ann')], messageId: sends[0]!.ids.get('ann')!.messageId })]);
    const [b] = await w.apply([event('hard-bounce', { recipients: [w.address('ann')], messageId: sends[1]!.ids.get('ann')!.messageId })]);
    assert.equal(b!.outcome, 'recorded');
    assert.equal(b!.detail, 'already complained');
    assert.equal(await w.status('ann'), 'complained');
  });

  test(`${name}: events about one reader in one batch see each other: a bounce after a complaint, three soft bounces`, async (t) => {
    const w = await world(t, make);
    const sends = [await w.send(T0), await w.send(T0 + DAY), await w.send(T0 + 2 * DAY)];
    const [c, b] = await w.apply([
      event('complaint', { recipients: [w.address('ann')], messageId: sends[0]!.ids.get('ann')!.messageId }),
      event('hard-bounce', { recipients: [w.address('ann')], providerMessageId: sends[1]!.ids.get('ann')!.providerId }),
    ]);
    assert.deepEqual([c!.outcome, b!.outcome, b!.detail], ['suppressed', 'recorded', 'already complained']);
    assert.equal(await w.status('ann'), 'complained');
    assert.equal((await w.subscribers.events(w.address('ann'))).filter((e) => e.to === 'complained' || e.to === 'bounced').length, 1, 'one change of status');
    const soft = sends.map((s, i) => event('soft-bounce', { recipients: [w.address('bob')], messageId: s.ids.get('bob')!.messageId, at: T0 + i * DAY, status: '4.2.2' }));
    const applied = await w.apply(soft, T0 + 3 * DAY);
    assert.deepEqual(applied.map((a) => a.outcome), ['recorded', 'recorded', 'suppressed']);
    assert.equal(await w.status('bob'), 'bounced');
  });

  test(`${name}: raw payloads are kept for 30 days, then dropped while the events stay`, async (t) => {
    const w = await world(t, make);
    const { sendId, ids } = await w.send(T0);
    await w.apply([event('delivered', { recipients: [w.address('ann')], messageId: ids.get('ann')!.messageId, raw: '{"old":true}' })], T0);
    await w.apply([event('delivered', { recipients: [w.address('bob')], messageId: ids.get('bob')!.messageId, raw: '{"newer":true}' })], T0 + 29 * DAY);
    assert.deepEqual(await w.raws(), ['{"old":true}', '{"newer":true}']);
    await w.apply([], T0 + 31 * DAY);
    assert.deepEqual(await w.raws(), [null, '{"newer":true}']);
    assert.equal((await w.feedback.sendFeedback([sendId])).get(sendId)!.delivered, 2);
  });
}
