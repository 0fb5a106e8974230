/** The public server (issue 5; HOSTILE-INPUTS 17-21; issue 12, findings 3, 4, 7): double opt-in through the confirmation queue, one-click unsubscribe, tokens, limits, logs. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Hono } from 'hono';
import { simpleParser } from 'mailparser';
import { Inbox } from '../../src/preview/inbox.ts';
import { createSmtpTransport } from '../../src/send/transport/smtp-transport.ts';
import { ConfirmationSender } from '../../src/server/confirmation-sender.ts';
import { publicApp } from '../../src/server/public-server.ts';
import { SqliteConfirmationTable } from '../../src/store/sqlite-confirmation-queue.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { STATUSES } from '../../src/subscribers/subscriber.ts';
import { keyringFromEnv, signToken } from '../../src/subscribers/tokens.ts';
import { projectFor, projectSetup, ROOT } from '../support/fixtures.ts';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.ts';
import { SqliteConfirmationQueue } from '../../src/store/sqlite-confirmation-queue.ts';
import { sqliteStoresOn } from '../../src/store/open-stores.ts';

const keyring = keyringFromEnv('a-test-secret-that-is-long-enough-0123456789');

async function server(t: TestContext, start = Date.parse('2026-11-25T10:00:00Z')) {
  const dir = projectFor(t);
  const db = openDatabase(join(dir, 'data', 'test.db'));
  t.after(() => db.close());
  const inbox = new Inbox();
  await inbox.listen(0);
  t.after(() => inbox.close());
  const clock = { now: start };
  const { config } = await projectSetup();
  const now = () => new Date(clock.now);
  const app: Hono = publicApp({ root: dir, config, stores: sqliteStoresOn(db, { server: true, now }), keyring, now });
  const openTransport = () => createSmtpTransport({ url: `smtp://127.0.0.1:${inbox.port}/?ignoreTLS=true`, concurrency: 2, timeoutMs: 10_000 });
  const sender = new ConfirmationSender({ queue: new SqliteConfirmationQueue(db, now), config, keyring, openTransport, now });
  const store = new SqliteSubscriberTable(db);
  /** A POST; then the confirmation emails it queued are sent, as the server's sender does right after. */
  const post = async (path: string, body: Record<string, string> | FormData = {}) => {
    const response = await app.request(path, { method: 'POST', body: body instanceof FormData ? body : new URLSearchParams(body) });
    if (db.open) await sender.runOnce();
    return response;
  };
  return { app, db, store, inbox, clock, post, sender };
}

const tokenIn = (text: string, purpose: string) => new RegExp(`/${purpose}/([A-Za-z0-9_.-]+)`).exec(text)?.[1];

test('subscribe: a pending subscriber and a confirmation email; GET and HEAD show a button, only POST confirms', async (t) => {
  const s = await server(t);
  const r = await s.post('/subscribe', { email: 'Reader@Example.com', name: 'A Reader' });
  assert.equal(r.status, 200);
  assert.match(await r.text(), /Check your inbox/);
  assert.equal(s.store.get('reader@example.com')?.status, 'pending');
  const mail = s.inbox.messages[0];
  assert.ok(mail, 'a confirmation email was sent');
  assert.deepEqual(mail.envelope.to.map((a) => a.toLowerCase()), ['reader@example.com']);
  const token = tokenIn(mail.text ?? '', 'confirm');
  assert.ok(token, mail.text ?? '');
  const get = await s.app.request(`/confirm/${token}`);
  assert.equal(get.status, 200);
  assert.match(await get.text(), /<form method="post" action="\/confirm\/[^"]+">[\s\S]*Confirm my subscription/);
  assert.equal((await s.app.request(`/confirm/${token}`, { method: 'HEAD' })).status, 200);
  assert.equal(s.store.get('reader@example.com')?.status, 'pending', 'GET and HEAD change nothing');
  const confirm = await s.post(`/confirm/${token}`);
  assert.equal(confirm.status, 200);
  assert.match(await confirm.text(), /You are subscribed/);
  assert.equal(s.store.get('reader@example.com')?.status, 'active');
  assert.deepEqual(s.store.events('reader@example.com').map((e) => e.reason), ['signed up on the web', 'confirmed by email']);
});

test('subscribe: control characters in the form\'s name are stored as spaces, never as they came (issue 12, finding 10)', async (t) => {
  const s = await server(t);
  const r = await s.post('/subscribe', { email: 'nul@example.com', name: 'Ada\u0000Lovelace\t\u001b[1m\r\nBcc: x@evil.example' });
  assert.equal(r.status, 200);
  assert.equal(s.store.get('nul@example.com')?.name, 'Ada Lovelace [1m Bcc: x@evil.example');
});

test('subscribe: the answer never reveals whether an address was known; a honeypot or bad address adds nobody', async (t) => {
  const s = await server(t);
  s.store.add({ email: 'known@example.com', emailNormalized: 'known@example.com', name: '', status: 'active', source: 'cli', reason: 'x' });
  const known = await (await s.post('/subscribe', { email: 'known@example.com' })).text();
  const unknown = await (await s.post('/subscribe', { email: 'unknown@example.com' })).text();
  assert.equal(known, unknown);
  assert.equal((await s.post('/subscribe', { email: 'bot@example.com', website: 'http://spam.example' })).status, 200);
  assert.equal(s.store.get('bot@example.com'), null, 'the honeypot caught it');
  const bad = await s.post('/subscribe', { email: 'a@b.com\r\nBcc: x@evil.example' });
  assert.equal(bad.status, 400);
  assert.equal(s.store.list().length, 2);
});

test('confirm: an expired link says so and offers a new email; it never confirms', async (t) => {
  const s = await server(t);
  await s.post('/subscribe', { email: 'late@example.com' });
  const token = tokenIn(s.inbox.messages[0]?.text ?? '', 'confirm')!;
  s.clock.now += 49 * 3600_000;
  const get = await s.app.request(`/confirm/${token}`);
  assert.equal(get.status, 410);
  assert.match(await get.text(), /expired[\s\S]*Send me a new link/);
  assert.equal((await s.post(`/confirm/${token}`)).status, 410);
  assert.equal(s.store.get('late@example.com')?.status, 'pending');
  assert.equal((await s.post(`/confirm/${token}/resend`)).status, 200);
  const fresh = tokenIn(s.inbox.messages[0]?.text ?? '', 'confirm')!;
  assert.notEqual(fresh, token);
  assert.equal((await s.post(`/confirm/${fresh}`)).status, 200);
  assert.equal(s.store.get('late@example.com')?.status, 'active');
});

test('unsubscribe: GET and HEAD change nothing; one-click POST (urlencoded or multipart) unsubscribes at once, 200, no redirect or cookie', async (t) => {
  const s = await server(t);
  const keys = ['one@example.com', 'two@example.com'].map(
    (email) => s.store.add({ email, emailNormalized: email, name: '', status: 'active', source: 'cli', reason: 'x' }).tokenKey,
  );
  const [one, two] = keys.map((key) => signToken(keyring, 'unsubscribe', key!, new Date(s.clock.now)));
  assert.equal((await s.app.request(`/unsubscribe/${one}`)).status, 200);
  assert.equal((await s.app.request(`/unsubscribe/${one}`, { method: 'HEAD' })).status, 200);
  assert.equal(s.store.get('one@example.com')?.status, 'active');
  const urlencoded = await s.app.request(`/unsubscribe/${one}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example' },
    body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(urlencoded.status, 200);
  assert.equal(urlencoded.headers.get('location'), null);
  assert.equal(urlencoded.headers.get('set-cookie'), null);
  assert.equal(s.store.get('one@example.com')?.status, 'unsubscribed');
  assert.equal(s.store.events('one@example.com').at(-1)?.via, 'one-click');
  const again = await s.post(`/unsubscribe/${one}`, { 'List-Unsubscribe': 'One-Click' });
  assert.equal(again.status, 200);
  assert.match(await again.text(), /already unsubscribed/);
  assert.equal(s.store.events('one@example.com').length, 2, 'a second POST changes nothing');
  const multipart = new FormData();
  multipart.set('List-Unsubscribe', 'One-Click');
  assert.equal((await s.post(`/unsubscribe/${two}`, multipart)).status, 200);
  assert.equal(s.store.get('two@example.com')?.status, 'unsubscribed');
});

test('tokens: forged, truncated, oversized, foreign or wrong-purpose tokens all get the same 404, and nothing changes', async (t) => {
  const s = await server(t);
  const id = s.store.add({ email: 'a@example.com', emailNormalized: 'a@example.com', name: '', status: 'active', source: 'cli', reason: 'x' }).tokenKey;
  const good = signToken(keyring, 'unsubscribe', id, new Date(s.clock.now));
  const flipped = good.slice(0, 10) + (good[10] === 'A' ? 'B' : 'A') + good.slice(11);
  const otherKey = signToken(keyringFromEnv('another-secret-that-is-long-enough-987654321'), 'unsubscribe', id, new Date(s.clock.now));
  const reference = await (await s.post('/unsubscribe/nothing-like-a-token')).text();
  for (const bad of [flipped, good.slice(0, -3), 'x'.repeat(10_000), 'not%20base64!', otherKey, signToken(keyring, 'confirm', id, new Date(s.clock.now))]) {
    for (const method of ['GET', 'POST']) {
      const r = await s.app.request(`/unsubscribe/${bad}`, { method, ...(method === 'POST' ? { body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) } : {}) });
      assert.equal(r.status, 404, `${method} ${bad.slice(0, 30)}`);
      assert.equal(await r.text(), reference);
    }
  }
  assert.equal(s.store.get('a@example.com')?.status, 'active');
  assert.deepEqual(s.db.prepare('SELECT * FROM subscriber_topics_left').all(), [], 'no bad token leaves anything');
});

test('unsubscribe: a link we signed for a topic the config no longer has still leaves that topic, and only that', async (t) => {
  const s = await server(t);
  const key = s.store.add({ email: 'a@example.com', emailNormalized: 'a@example.com', name: '', status: 'active', source: 'cli', reason: 'x' }).tokenKey;
  // Sent while an "alerts" topic was configured; the writer has since removed it from the config.
  const old = signToken(keyring, 'unsubscribe', key, new Date(s.clock.now), 'alerts');
  const r = await s.post(`/unsubscribe/${old}`, { 'List-Unsubscribe': 'One-Click' });
  assert.equal(r.status, 200);
  assert.match(await r.text(), /alerts/);
  assert.equal(s.store.get('a@example.com')?.status, 'active', 'the rest of the newsletter keeps coming');
  assert.deepEqual(
    s.db.prepare('SELECT topic FROM subscriber_topics_left').all(),
    [{ topic: 'alerts' }],
  );
});

test('limits: floods from one client get 429, oversized bodies 413, and every page carries the security headers', async (t) => {
  const s = await server(t);
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await s.post('/subscribe', { email: `flood${i}@example.com` })).status);
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(200));
  assert.deepEqual(statuses.slice(10), [429, 429]);
  const big = await s.app.request('/subscribe', { method: 'POST', body: new URLSearchParams({ email: 'x@example.com', name: 'x'.repeat(100_000) }) });
  assert.equal(big.status, 413);
  const page = await s.app.request('/nowhere');
  assert.equal(page.status, 404);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
});

test('errors: no stack trace reaches the client', async (t) => {
  const s = await server(t);
  s.db.close();
  const r = await s.post('/subscribe', { email: 'x@example.com' });
  assert.equal(r.status, 500);
  const body = await r.text();
  assert.match(body, /Something went wrong/);
  assert.doesNotMatch(body, /at |Error:|\.ts:|node_modules/);
});

test('newsletter serve refuses to start without NEWSLETTER_SECRET', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'serve', '--port', '0'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NEWSLETTER_SECRET: '' },
    timeout: 30_000,
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /NEWSLETTER_SECRET/);
});

test('confirm: an old link never brings back someone who left; signing up again needs a new click', async (t) => {
  const s = await server(t);
  await s.post('/subscribe', { email: 'leaver@example.com' });
  const token = tokenIn(s.inbox.messages[0]?.text ?? '', 'confirm')!;
  assert.equal((await s.post(`/confirm/${token}`)).status, 200);
  s.store.setStatus('leaver@example.com', 'unsubscribed', 'one-click', 'one-click');
  const replay = await s.post(`/confirm/${token}`);
  assert.match(await replay.text(), /has left/);
  assert.equal(s.store.get('leaver@example.com')?.status, 'unsubscribed');
  s.clock.now += 25 * 3600_000; // one confirmation email a day at most (issue 12, finding 4)
  await s.post('/subscribe', { email: 'leaver@example.com' });
  assert.equal(s.store.get('leaver@example.com')?.status, 'pending', 'asking again makes them pending, not active');
  const fresh = tokenIn(s.inbox.messages[0]?.text ?? '', 'confirm')!;
  assert.equal((await s.post(`/confirm/${fresh}`)).status, 200);
  assert.equal(s.store.get('leaver@example.com')?.status, 'active');
  assert.deepEqual(s.store.events('leaver@example.com').map((e) => `${e.from ?? '-'}>${e.to}`), ['->pending', 'pending>active', 'active>unsubscribed', 'unsubscribed>pending', 'pending>active']);
});

test('serve: the built web archive is served, pages and feed, for GET and HEAD', async (t) => {
  const dir = projectFor(t, { 'dist/web/index.html': '<!doctype html><title>Archive</title>', 'dist/web/some-issue/index.html': '<!doctype html><title>Issue</title>', 'dist/web/feed.xml': '<feed/>' });
  const db = openDatabase(join(dir, 'data', 'test.db'));
  t.after(() => db.close());
  const { config } = await projectSetup();
  const app = publicApp({ root: dir, webRoot: join(dir, 'dist', 'web'), config, stores: sqliteStoresOn(db, { server: true }), keyring });
  assert.match(await (await app.request('/')).text(), /<title>Archive<\/title>/);
  assert.match(await (await app.request('/some-issue/')).text(), /<title>Issue<\/title>/);
  const feed = await app.request('/feed.xml');
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type') ?? '', /xml/);
  assert.equal((await app.request('/some-issue/', { method: 'HEAD' })).status, 200);
  assert.equal((await app.request('/../newsletter.yaml')).status, 404);
  assert.equal((await app.request('/nothing-here/')).status, 404);
});

test('serve: a url with a path (https://example.org/news) puts everything under it: archive, sign-up, the emails\' links and the pages\' forms', async (t) => {
  const dir = projectFor(t, { 'dist/web/index.html': '<!doctype html><title>Archive</title>', 'dist/web/some-issue/index.html': '<!doctype html><title>Issue</title>' });
  const db = openDatabase(join(dir, 'data', 'test.db'));
  t.after(() => db.close());
  const inbox = new Inbox();
  await inbox.listen(0);
  t.after(() => inbox.close());
  const { config: sample } = await projectSetup();
  const config = { ...sample, url: 'https://example.org/news' };
  const app = publicApp({ root: dir, webRoot: join(dir, 'dist', 'web'), config, stores: sqliteStoresOn(db, { server: true }), keyring });
  const openTransport = () => createSmtpTransport({ url: `smtp://127.0.0.1:${inbox.port}/?ignoreTLS=true`, concurrency: 2, timeoutMs: 10_000 });
  const sender = new ConfirmationSender({ queue: new SqliteConfirmationQueue(db), config, keyring, openTransport });
  assert.match(await (await app.request('/news/')).text(), /<title>Archive<\/title>/);
  assert.match(await (await app.request('/news/some-issue/')).text(), /<title>Issue<\/title>/);
  const bare = await app.request('/news');
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), '/news/');
  const root = await app.request('/');
  assert.equal(root.status, 302, 'the bare host leads to the newsletter');
  assert.equal(root.headers.get('location'), '/news/');
  assert.equal((await app.request('/some-issue/')).status, 404, 'nothing is served outside the path');
  assert.equal((await app.request('/subscribe', { method: 'POST', body: new URLSearchParams({ email: 'outside@example.com' }) })).status, 404);
  assert.equal(new SqliteSubscriberTable(db).get('outside@example.com'), null);

  const signUp = await app.request('/news/subscribe', { method: 'POST', body: new URLSearchParams({ email: 'reader@example.com' }) });
  assert.equal(signUp.status, 200);
  assert.match(await signUp.text(), /Check your inbox/);
  await sender.runOnce();
  const link = /https:\/\/example\.org(\/news\/confirm\/[A-Za-z0-9_.-]+)/.exec(inbox.messages[0]?.text ?? '')?.[1];
  assert.ok(link, `the email links under the path: ${inbox.messages[0]?.text}`);
  const page = await (await app.request(link)).text();
  assert.match(page, new RegExp(`<form method="post" action="${link}">`), 'the page\'s button posts under the path too');
  assert.match(page, /<a href="\/news\/">/, 'its masthead leads to the archive');
  assert.match(await (await app.request(link, { method: 'POST' })).text(), /You are subscribed/);
  assert.equal(new SqliteSubscriberTable(db).get('reader@example.com')?.status, 'active');
});


/** Waits for something the code under test does in the background; a generous limit, so only a hang fails. */
async function until(condition: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !condition(); ) {
    if (Date.now() > end) throw new Error('gave up waiting');
    await sleep(20);
  }
}

/** Every kind of address the form can meet, each already in its state except `unknown`. */
const KINDS = ['unknown', 'pending', 'active', 'unsubscribed', 'bounced', 'complained'] as const;

function seedKinds(store: SqliteSubscriberTable): void {
  for (const kind of STATUSES) {
    store.add({ email: `${kind}@example.com`, emailNormalized: `${kind}@example.com`, name: '', status: kind, source: 'cli', reason: 'seeded' });
  }
}

/** The app and its confirmation sender on one database, mailing through `peer`, with a clock the test moves. */
async function queuedServer(t: TestContext, peer: SmtpPeer) {
  const dir = projectFor(t);
  const db = openDatabase(join(dir, 'data', 'test.db'));
  t.after(() => db.close());
  const clock = { now: Date.parse('2026-11-25T10:00:00Z') };
  const now = () => new Date(clock.now);
  const { config } = await projectSetup();
  const logged: string[] = [];
  const log = (line: string) => logged.push(line);
  const openTransport = () => createSmtpTransport({ url: peer.url, concurrency: 2, timeoutMs: 300 });
  const sender = new ConfirmationSender({ queue: new SqliteConfirmationQueue(db, now), config, keyring, openTransport, now, log });
  t.after(() => sender.stop());
  const app = publicApp({ root: dir, config, stores: sqliteStoresOn(db, { server: true, now }), keyring, now, log, onConfirmationQueued: () => sender.wake() });
  const store = new SqliteSubscriberTable(db);
  const post = (path: string, body: Record<string, string>) => app.request(path, { method: 'POST', body: new URLSearchParams(body) });
  return { app, db, store, clock, sender, post, logged, queue: new SqliteConfirmationTable(db) };
}

test('sign-up (issue 12, finding 3): with SMTP hanging, then down, every kind of address gets the same 200 and page; the queue delivers once SMTP is back', async (t) => {
  let mode: 'hang' | 'down' | 'up' = 'hang';
  const peer = await startSmtpPeer({ onConnect: () => (mode === 'hang' ? 'hang' : mode === 'down' ? { code: 421, message: '4.3.2 try again later' } : undefined) });
  t.after(() => peer.close());
  const s = await queuedServer(t, peer);
  seedKinds(s.store);
  s.sender.start();
  const answers = new Map<string, { status: number; body: string }>();
  for (const kind of KINDS) {
    const r = await s.post('/subscribe', { email: `${kind}@example.com` });
    answers.set(kind, { status: r.status, body: await r.text() });
  }
  for (const kind of KINDS) assert.deepEqual(answers.get(kind), answers.get('unknown'), `${kind} gets what an unknown address gets`);
  assert.equal(answers.get('unknown')?.status, 200);
  assert.equal(peer.received().length, 0, 'the answers came while the server had sent nothing');
  const pendingRows = () => KINDS.flatMap((k) => s.queue.forSubscriber(s.store.get(`${k}@example.com`)!.id)).filter((r) => r.state === 'queued');
  // The running sender tries each one (the silent server times out) and puts it back in the queue.
  await until(() => pendingRows().length === 3 && pendingRows().every((r) => r.attempts === 1));
  await s.sender.stop();
  assert.equal(pendingRows().length, 3, 'unknown, pending and unsubscribed wait in the queue');
  assert.ok(pendingRows().every((r) => r.attempts === 1 && r.lastError), JSON.stringify(pendingRows()));

  mode = 'down';
  const firstRetry = Math.max(...pendingRows().map((r) => r.nextAttemptAt));
  s.clock.now = firstRetry;
  await s.sender.runOnce();
  const rows = pendingRows();
  assert.ok(rows.every((r) => r.attempts === 2 && /421/.test(r.lastError ?? '')), JSON.stringify(rows));
  assert.ok(rows.every((r) => r.nextAttemptAt - s.clock.now > 50_000), 'the second delay is longer than the first');
  assert.equal(peer.received().length, 0);

  mode = 'up';
  s.clock.now = Math.max(...rows.map((r) => r.nextAttemptAt));
  await s.sender.runOnce();
  for (const kind of KINDS) {
    const expected = ['unknown', 'pending', 'unsubscribed'].includes(kind) ? 1 : 0;
    assert.equal(peer.copiesOf(`${kind}@example.com`), expected, `${kind}: ${expected} confirmation email`);
  }
  assert.deepEqual(
    KINDS.map((k) => s.store.get(`${k}@example.com`)?.status),
    ['pending', 'pending', 'active', 'pending', 'bounced', 'complained'],
    'bounced and complained addresses are never moved back to pending by the form',
  );
  const mail = await simpleParser(peer.received().find((m) => m.to === 'unknown@example.com')!.raw);
  assert.equal(mail.subject, 'Confirm your subscription to The Dissent Desk');
  const token = tokenIn(mail.text ?? '', 'confirm')!;
  assert.equal((await s.post(`/confirm/${token}`, {})).status, 200);
  assert.equal(s.store.get('unknown@example.com')?.status, 'active');
  await s.sender.runOnce();
  assert.equal(pendingRows().length, 0, 'nothing is left to send');
});

test('sign-up (issue 12, finding 4): at most one confirmation email per address per day, from the form or "send me a new link"', async (t) => {
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const s = await queuedServer(t, peer);
  const start = s.clock.now;
  const answers = new Set<string>();
  for (const hours of [0, 0, 1, 6, 23.9]) {
    s.clock.now = start + hours * 3600_000;
    const r = await s.post('/subscribe', { email: 'Target@Example.com' });
    assert.equal(r.status, 200);
    answers.add(await r.text());
    await s.sender.runOnce();
  }
  assert.equal(answers.size, 1, 'the same page every time');
  assert.equal(peer.copiesOf('Target@Example.com'), 1, 'one email in the first day');
  // An expired link's "send me a new link" counts against the same day.
  const token = tokenIn((await simpleParser(peer.received()[0]!.raw)).text ?? '', 'confirm')!;
  s.clock.now = start + 23.95 * 3600_000;
  assert.equal((await s.post(`/confirm/${token}/resend`, {})).status, 200);
  await s.sender.runOnce();
  assert.equal(peer.copiesOf('Target@Example.com'), 1);
  s.clock.now = start + 24.1 * 3600_000;
  await s.post('/subscribe', { email: 'target@example.com' });
  await s.post('/subscribe', { email: 'target@example.com' });
  await s.sender.runOnce();
  assert.equal(peer.copiesOf('Target@Example.com'), 2, 'a day later, one more');
  assert.equal(s.store.get('target@example.com')?.status, 'pending');
  // Someone who unsubscribed an hour after a confirmation email is not moved to pending again within the day.
  s.store.setStatus('target@example.com', 'unsubscribed', 'test', 'cli');
  s.clock.now += 3600_000;
  await s.post('/subscribe', { email: 'target@example.com' });
  await s.sender.runOnce();
  assert.equal(s.store.get('target@example.com')?.status, 'unsubscribed', 'nothing changes while the limit holds');
  assert.equal(peer.copiesOf('Target@Example.com'), 2);
});

test('sign-up (issue 12, finding 7): one log line per sign-up, confirmation and unsubscription, the address masked and no token', async (t) => {
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const s = await queuedServer(t, peer);
  await s.post('/subscribe', { email: 'Maria.Lopez@example.org' });
  await s.sender.runOnce();
  const token = tokenIn((await simpleParser(peer.received()[0]!.raw)).text ?? '', 'confirm')!;
  await s.post(`/confirm/${token}`, {});
  const key = s.store.get('maria.lopez@example.org')!.tokenKey;
  const unsubscribe = signToken(keyring, 'unsubscribe', key, new Date(s.clock.now));
  await s.post(`/unsubscribe/${unsubscribe}`, { 'List-Unsubscribe': 'One-Click' });
  await s.post('/subscribe', { email: 'maria.lopez@example.org' });
  assert.deepEqual(s.logged, [
    'sign-up M***@example.org: new, pending; confirmation email queued',
    'confirmation email to M***@example.org: sent (250 OK: queued)',
    'confirm M***@example.org: confirmed, active',
    'unsubscribe M***@example.org: unsubscribed (one-click)',
    'sign-up M***@example.org: a confirmation email was already queued in the last 24 hours; nothing sent',
  ]);
  const all = s.logged.join('\n');
  assert.doesNotMatch(all, /maria|lopez/i);
  assert.ok(!all.includes(token) && !all.includes(unsubscribe), 'no token in the log');
});
