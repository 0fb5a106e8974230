/** The send session (issue 13, step 2): prepareSend only reads; runSend plans, recovers, runs and sums up. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import { makePlaceholders } from '../../src/render/merge-tags.ts';
import type { IssueForSend } from '../../src/send/compose/issue-for-send.ts';
import { readEnvironment } from '../../src/config/environment.ts';
import { checkSendable, prepareSend, runSend, type SendChoices, type SendKeys, type SendPlan } from '../../src/send/session.ts';
import { createSmtpTransport } from '../../src/send/transport/smtp-transport.ts';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import { AlreadySentError } from '../../src/store/ledger/records.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscriber-store.ts';
import { TEST_SECRET } from '../support/send-harness.ts';
import { startSmtpPeer } from '../support/smtp-peer.ts';

const CHOICES: SendChoices = { rate: null, concurrency: 2, resume: false, resendInDoubt: false, forceResend: false, wait: false };

function issue(status: 'draft' | 'ready' = 'ready'): IssueForSend {
  const ph = makePlaceholders([]);
  return {
    config: parseConfig('name: The Test Letter\nurl: https://news.example.org\nfrom:\n  email: news@example.org\n'),
    file: 'issues/test-issue.md',
    title: 'A test issue',
    slug: 'test-issue',
    status,
    subject: 'A test issue',
    html: `<html><body><p>Hello ${ph.name}.</p><a href="${ph.unsubscribe}">Unsubscribe</a></body></html>`,
    text: `Hello ${ph.name}.\n\nUnsubscribe: ${ph.unsubscribe}\n`,
    placeholderPrefix: ph.prefix,
    segment: null,
    topic: null,
    diagnostics: [],
  };
}

function setup(t: TestContext, count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'nl-session-'));
  const db = openDatabase(join(dir, 'newsletter.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  new SqliteSubscriberTable(db).importMany(Array.from({ length: count }, (_, i) => ({ email: `r${i}@example.org`, emailNormalized: `r${i}@example.org`, name: `Reader ${i}`, attributes: {} })), 'test');
  return { db, subscribers: new SqliteSubscriberStore(db), ledger: new SqliteLedger(db) };
}

function keysFor(i: IssueForSend): SendKeys {
  const keys = checkSendable(i, readEnvironment({ NEWSLETTER_SECRET: TEST_SECRET }));
  assert.ok(!('refused' in keys));
  return keys;
}

function planOf(p: Awaited<ReturnType<typeof prepareSend>>): SendPlan {
  assert.ok(!('refused' in p), 'refused' in p ? p.refused : '');
  return p;
}

test('session: a draft and a missing secret are refused before the database is touched', () => {
  assert.match((checkSendable(issue('draft'), readEnvironment({ NEWSLETTER_SECRET: TEST_SECRET })) as { refused: string }).refused, /is a draft/);
  assert.match((checkSendable(issue(), readEnvironment({})) as { refused: string }).refused, /NEWSLETTER_SECRET.*openssl rand -hex 32/);
});

test('session: prepareSend only reads; runSend mails every subscriber once through a real SMTP peer and sums up', async (t) => {
  const s = setup(t, 7);
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const i = issue();
  const plan = planOf(await prepareSend({ issue: i, keys: keysFor(i), choices: CHOICES }, s));
  assert.equal(plan.active, 7);
  assert.equal(plan.resuming, null);
  assert.equal((await s.ledger.sends()).length, 0, 'preparing plans nothing');
  const transport = createSmtpTransport({ url: peer.url, concurrency: 2, timeoutMs: 2000 });
  let progressed = 0;
  const summary = await runSend(plan, { ledger: s.ledger, transport }, new AbortController().signal, () => progressed++);
  await transport.close();
  assert.ok('counts' in summary);
  assert.deepEqual(summary.outcome, { outcome: 'finished' });
  assert.equal(summary.finished, true);
  assert.equal(summary.counts.sent, 7);
  assert.deepEqual(summary.inDoubt, []);
  assert.deepEqual(summary.errors, []);
  assert.ok(progressed > 0);
  for (let n = 0; n < 7; n++) assert.equal(peer.copiesOf(`r${n}@example.org`), 1);
  // Sent in full: another plan is refused, and says how to send again.
  const again = await prepareSend({ issue: i, keys: keysFor(i), choices: CHOICES }, s);
  assert.ok('refused' in again);
  assert.match(again.refused, /test-issue was already sent: 7 sent, 0 failed.*\n.*add --force-resend/);
  assert.match(((await prepareSend({ issue: i, keys: keysFor(i), choices: { ...CHOICES, resume: true } }, s)) as { refused: string }).refused, /no unfinished send/);
});

test('session: an aborted run pauses with the rest queued, and the next plan resumes it', async (t) => {
  const s = setup(t, 5);
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const i = issue();
  const controller = new AbortController();
  controller.abort();
  const transport = createSmtpTransport({ url: peer.url, concurrency: 2, timeoutMs: 2000 });
  const paused = await runSend(planOf(await prepareSend({ issue: i, keys: keysFor(i), choices: CHOICES }, s)), { ledger: s.ledger, transport }, controller.signal);
  assert.ok('counts' in paused);
  assert.deepEqual(paused.outcome, { outcome: 'interrupted' });
  assert.equal(paused.finished, false);
  assert.equal(paused.counts.queued, 5);
  const plan = planOf(await prepareSend({ issue: i, keys: keysFor(i), choices: { ...CHOICES, resume: true } }, s));
  assert.equal(plan.resuming?.send.id, paused.send.id);
  assert.equal(plan.resuming?.changed, false);
  const done = await runSend(plan, { ledger: s.ledger, transport }, new AbortController().signal);
  await transport.close();
  assert.ok('counts' in done);
  assert.equal(done.send.id, paused.send.id);
  assert.equal(done.counts.sent, 5);
  assert.equal(peer.received().length, 5);
});

test('session: a plan made before another process finished the send is refused when it runs', async (t) => {
  const s = setup(t, 2);
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const i = issue();
  const plan = planOf(await prepareSend({ issue: i, keys: keysFor(i), choices: CHOICES }, s));
  const transport = createSmtpTransport({ url: peer.url, concurrency: 2, timeoutMs: 2000 });
  await runSend(plan, { ledger: s.ledger, transport }, new AbortController().signal);
  await assert.rejects(runSend(plan, { ledger: s.ledger, transport }, new AbortController().signal), AlreadySentError);
  await transport.close();
});

test("session: a topic's send leaves out whoever left it; resumed under another topic, the frozen rows go and the writer is told", async (t) => {
  const s = setup(t, 4);
  s.db.prepare(`INSERT INTO subscriber_topics_left (subscriber_id, topic, left_at) SELECT id, 'alerts', '2026-11-01T00:00:00.000Z' FROM subscribers WHERE email = 'r1@example.org'`).run();
  const config = parseConfig('name: The Test Letter\nurl: https://news.example.org\nfrom:\n  email: news@example.org\ntopics:\n  - id: alerts\n    name: Alerts\n  - id: culture\n    name: Culture\n');
  const alerts: IssueForSend = { ...issue(), config, topic: { id: 'alerts', line: 5 } };
  const plan = planOf(await prepareSend({ issue: alerts, keys: keysFor(alerts), choices: CHOICES }, s));
  assert.equal(plan.active, 3);
  assert.deepEqual(plan.audience, { topic: 'alerts' });
  const controller = new AbortController();
  controller.abort();
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const transport = createSmtpTransport({ url: peer.url, concurrency: 2, timeoutMs: 2000 });
  const paused = await runSend(plan, { ledger: s.ledger, transport }, controller.signal);
  await transport.close();
  assert.ok('counts' in paused);
  assert.equal(paused.send.topic, 'alerts');
  assert.equal(paused.counts.queued, 3);
  const culture: IssueForSend = { ...alerts, topic: { id: 'culture', line: 5 } };
  const resumed = planOf(await prepareSend({ issue: culture, keys: keysFor(culture), choices: CHOICES }, s));
  assert.deepEqual(resumed.warnings, ['this send was planned for the topic "alerts"; it continues with the subscribers frozen then, not the topic "culture" asked for now']);
  const unknown: IssueForSend = { ...alerts, topic: { id: 'sports', line: 7 } };
  assert.deepEqual(await prepareSend({ issue: unknown, keys: keysFor(unknown), choices: CHOICES }, s), { refused: 'issues/test-issue.md:7: the topic "sports" is not in newsletter.yaml\'s "topics:"' });
});
