/**
 * Issue 12, finding 1: links are bound to a random per-subscriber token key, never to the id SQLite reuses after a
 * purge. An erased subscriber's links act on nobody; old id-based links keep working for rows that existed before.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Inbox } from '../../src/preview/inbox.ts';
import { createSmtpTransport } from '../../src/send/transport/smtp-transport.ts';
import { ConfirmationSender } from '../../src/server/confirmation-sender.ts';
import { publicApp } from '../../src/server/public-server.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { keyringFromEnv, signToken } from '../../src/subscribers/tokens.ts';
import { projectFor, projectSetup } from '../support/fixtures.ts';
import { SqliteConfirmationQueue } from '../../src/store/sqlite-confirmation-queue.ts';
import { sqliteStoresOn } from '../../src/store/open-stores.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const keyring = keyringFromEnv(SECRET);
const START = Date.parse('2026-11-25T10:00:00Z');

/** A token as signed before token keys existed: `c.<id>.<seconds>` / `u.<id>.<seconds>` under the v1 domain. */
function v1Token(purpose: 'c' | 'u', id: number, at: number): string {
  const payload = `${purpose}.${id}.${Math.floor(at / 1000)}`;
  const mac = createHmac('sha256', SECRET).update(`newsletter-token-v1\0${payload}`, 'latin1').digest();
  return `${Buffer.from(payload, 'latin1').toString('base64url')}.${mac.toString('base64url')}`;
}

/** The public app on a project whose database `prepare` may first build at an older schema version. */
async function server(t: TestContext, prepare?: (path: string) => void) {
  const dir = projectFor(t);
  const path = join(dir, 'data', 'test.db');
  mkdirSync(dirname(path), { recursive: true });
  prepare?.(path);
  const db = openDatabase(path);
  t.after(() => db.close());
  const inbox = new Inbox();
  await inbox.listen(0);
  t.after(() => inbox.close());
  const clock = { now: START };
  const { config } = await projectSetup();
  const now = () => new Date(clock.now);
  const app = publicApp({ root: dir, config, stores: sqliteStoresOn(db, { server: true, now }), keyring, now });
  const openTransport = () => createSmtpTransport({ url: `smtp://127.0.0.1:${inbox.port}/?ignoreTLS=true`, concurrency: 2, timeoutMs: 10_000 });
  const sender = new ConfirmationSender({ queue: new SqliteConfirmationQueue(db, now), config, keyring, openTransport, now });
  const store = new SqliteSubscriberTable(db, now);
  /** A POST; then the confirmation emails it queued are sent, as the server's sender does right after. */
  const post = async (path: string, body: Record<string, string> = {}) => {
    const response = await app.request(path, { method: 'POST', body: new URLSearchParams(body) });
    await sender.runOnce();
    return response;
  };
  const reference = await (await post('/unsubscribe/nothing-like-a-token')).text();
  return { app, db, store, inbox, clock, post, reference };
}

const tokenIn = (text: string, purpose: string) => new RegExp(`/${purpose}/([A-Za-z0-9_.-]+)`).exec(text)?.[1];

async function assertNotFound(s: Awaited<ReturnType<typeof server>>, path: string, forbidden: string): Promise<void> {
  for (const method of ['GET', 'POST']) {
    const r = await s.app.request(path, { method, ...(method === 'POST' ? { body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) } : {}) });
    assert.equal(r.status, 404, `${method} ${path}`);
    const body = await r.text();
    assert.equal(body, s.reference, 'the same page as a forged token');
    assert.ok(!body.includes(forbidden), `the page must not show ${forbidden}`);
  }
}

test('erasure: after a purge, the next sign-up gets the same id, but the erased person\'s confirm link is a 404 and confirms nobody', async (t) => {
  const s = await server(t);
  await s.post('/subscribe', { email: 'attacker@example.com' });
  const attackerLink = tokenIn(s.inbox.messages[0]?.text ?? '', 'confirm')!;
  const attackerId = s.store.get('attacker@example.com')!.id;
  assert.ok(s.store.purge('attacker@example.com'));
  s.clock.now += 60_000;
  await s.post('/subscribe', { email: 'victim@example.com' });
  const victim = s.store.get('victim@example.com')!;
  assert.equal(victim.id, attackerId, 'SQLite reused the id (the condition the probe found)');
  await assertNotFound(s, `/confirm/${attackerLink}`, 'victim@example.com');
  assert.equal((await s.post(`/confirm/${attackerLink}/resend`)).status, 404);
  assert.equal(s.store.get('victim@example.com')?.status, 'pending', 'the victim is not confirmed by someone else\'s link');
  assert.equal(s.inbox.messages.length, 2, 'no new mail went out to the victim');
  // Once it is old, it is still a 404 (not "expired, send me a new one"), and sends nothing.
  s.clock.now += 49 * 3600_000;
  await assertNotFound(s, `/confirm/${attackerLink}`, 'victim@example.com');
  assert.equal(s.inbox.messages.length, 2);
  s.clock.now -= 49 * 3600_000;
  // The victim's own link still works.
  const own = tokenIn(s.inbox.messages[0]?.text ?? '', 'confirm')!;
  assert.equal((await s.post(`/confirm/${own}`)).status, 200);
  assert.equal(s.store.get('victim@example.com')?.status, 'active');
});

test('erasure: an erased subscriber\'s unsubscribe link never unsubscribes or shows whoever gets their id, even the same address again', async (t) => {
  const s = await server(t);
  const gone = s.store.add({ email: 'gone@example.com', emailNormalized: 'gone@example.com', name: '', status: 'active', source: 'cli', reason: 'x' });
  const link = signToken(keyring, 'unsubscribe', gone.tokenKey, new Date(s.clock.now));
  assert.equal((await s.app.request(`/unsubscribe/${link}`)).status, 200, 'it worked while they were on the list');
  s.store.purge('gone@example.com');
  s.clock.now += 60_000;
  const next = s.store.add({ email: 'next@example.com', emailNormalized: 'next@example.com', name: '', status: 'active', source: 'cli', reason: 'x' });
  assert.equal(next.id, gone.id, 'SQLite reused the id');
  assert.notEqual(next.tokenKey, gone.tokenKey);
  await assertNotFound(s, `/unsubscribe/${link}`, 'next@example.com');
  assert.equal(s.store.get('next@example.com')?.status, 'active');
  assert.equal(s.store.events('next@example.com').length, 1, 'nothing recorded');
  // "Replaced": the same address purged and signed up again is a new row; the old link does not revive.
  s.store.purge('next@example.com');
  const again = s.store.add({ email: 'gone@example.com', emailNormalized: 'gone@example.com', name: '', status: 'active', source: 'form', reason: 'x' });
  assert.equal(again.id, gone.id);
  await assertNotFound(s, `/unsubscribe/${link}`, 'gone@example.com');
  assert.equal(s.store.get('gone@example.com')?.status, 'active');
});

/** A database as the previous release left it: schema version 2, two subscribers, one of them pending. */
function previousRelease(path: string): void {
  const old = new Database(path);
  old.exec(MIGRATIONS[0]!);
  old.exec(MIGRATIONS[1]!);
  old.pragma('user_version = 2');
  const insert = old.prepare(`INSERT INTO subscribers (email, email_normalized, status, source, created_at) VALUES (?, ?, ?, 'cli', ?)`);
  insert.run('old@example.com', 'old@example.com', 'active', new Date(START - 86_400_000).toISOString());
  insert.run('pending@example.com', 'pending@example.com', 'pending', new Date(START - 3_600_000).toISOString());
  old.close();
}

test('migration: links signed with ids before the upgrade still unsubscribe and confirm the rows that still exist', async (t) => {
  const s = await server(t, previousRelease);
  const old = s.store.get('old@example.com')!;
  const pending = s.store.get('pending@example.com')!;
  assert.match(old.tokenKey, /^[0-9a-f]{32}$/);
  assert.notEqual(old.tokenKey, pending.tokenKey);
  assert.equal(old.legacyTokens, true);
  const unsubscribe = v1Token('u', old.id, START - 3_600_000);
  const page = await s.app.request(`/unsubscribe/${unsubscribe}`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /old@example\.com/);
  assert.equal((await s.post(`/unsubscribe/${unsubscribe}`, { 'List-Unsubscribe': 'One-Click' })).status, 200);
  assert.equal(s.store.get('old@example.com')?.status, 'unsubscribed');
  const confirm = v1Token('c', pending.id, START - 60_000);
  assert.equal((await s.post(`/confirm/${confirm}`)).status, 200);
  assert.equal(s.store.get('pending@example.com')?.status, 'active');
  // New links use the key; a new row never accepts id-based links.
  const fresh = s.store.add({ email: 'new@example.com', emailNormalized: 'new@example.com', name: '', status: 'active', source: 'cli', reason: 'x' });
  assert.equal(fresh.legacyTokens, false);
  await assertNotFound(s, `/unsubscribe/${v1Token('u', fresh.id, s.clock.now)}`, 'new@example.com');
});

test('migration: an id-based link for an erased row never reaches the row that took the id, before or after the upgrade', async (t) => {
  const s = await server(t, previousRelease);
  const old = s.store.get('old@example.com')!;
  // Signed for an earlier occupant of the id, before this row was created (the id was reused before the upgrade).
  await assertNotFound(s, `/unsubscribe/${v1Token('u', old.id, START - 2 * 86_400_000)}`, 'old@example.com');
  // Erased after the upgrade, the id reused by a new sign-up: the old link names nobody.
  const link = v1Token('u', old.id, START - 3_600_000);
  s.store.purge('old@example.com');
  s.store.purge('pending@example.com');
  const next = s.store.add({ email: 'next@example.com', emailNormalized: 'next@example.com', name: '', status: 'active', source: 'form', reason: 'x' });
  assert.equal(next.id, old.id, 'SQLite reused the id');
  await assertNotFound(s, `/unsubscribe/${link}`, 'next@example.com');
  assert.equal(s.store.get('next@example.com')?.status, 'active');
});
