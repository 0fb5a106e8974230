/**
 * Issue 12, finding 13: another process holding the write lock (a long import) neither blocks the server nor loses
 * a sign-up. Here the lock is held for 6 s, past the 5 s busy timeout that used to stall the event loop and then
 * fail with a 500.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Inbox } from '../../src/preview/inbox.ts';
import { createSmtpTransport } from '../../src/send/transport/smtp-transport.ts';
import { ConfirmationSender } from '../../src/server/confirmation-sender.ts';
import { publicApp } from '../../src/server/public-server.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { keyringFromEnv, signToken } from '../../src/subscribers/tokens.ts';
import { projectFor, projectSetup } from '../support/fixtures.ts';
import { holdWriteLock } from '../support/hold-lock.ts';
import { SqliteConfirmationQueue } from '../../src/store/sqlite-confirmation-queue.ts';
import { sqliteStoresOn } from '../../src/store/open-stores.ts';

const keyring = keyringFromEnv('a-test-secret-that-is-long-enough-0123456789');

test('a lock held elsewhere for 6 s: sign-up and one-click unsubscribe wait off the event loop, get their normal answer and are stored; other pages answer meanwhile', async (t) => {
  const dir = projectFor(t);
  const path = join(dir, 'data', 'test.db');
  const db = openDatabase(path);
  t.after(() => db.close());
  const inbox = new Inbox();
  await inbox.listen(0);
  t.after(() => inbox.close());
  const { config } = await projectSetup();
  const app = publicApp({ root: dir, config, stores: sqliteStoresOn(db, { server: true }), keyring });
  const openTransport = () => createSmtpTransport({ url: `smtp://127.0.0.1:${inbox.port}/?ignoreTLS=true`, concurrency: 2, timeoutMs: 10_000 });
  const sender = new ConfirmationSender({ queue: new SqliteConfirmationQueue(db), config, keyring, openTransport });
  const store = new SqliteSubscriberTable(db);
  const reader = store.add({ email: 'reader@example.com', emailNormalized: 'reader@example.com', name: '', status: 'active', source: 'cli', reason: 'x' });
  const leaver = store.add({ email: 'leaver@example.com', emailNormalized: 'leaver@example.com', name: '', status: 'active', source: 'cli', reason: 'x' });
  const unsubscribe = (key: string) => `/unsubscribe/${signToken(keyring, 'unsubscribe', key, new Date())}`;

  const holder = await holdWriteLock(path, "UPDATE subscribers SET name = name");
  const lockedAt = Date.now();
  t.after(() => holder.child.kill());
  const order: string[] = [];
  const signup = Promise.resolve(app.request('/subscribe', { method: 'POST', body: new URLSearchParams({ email: 'new@example.com', name: 'New' }) })).then((r: Response) => {
    order.push('signup');
    return r;
  });
  const oneClick = Promise.resolve(app.request(unsubscribe(leaver.tokenKey), { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) })).then((r: Response) => {
    order.push('unsubscribe');
    return r;
  });
  // Reads do not need the lock: the server answers them while the writes wait (the lock goes only when released).
  const page = await app.request(unsubscribe(reader.tokenKey));
  order.push('page');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /reader@example\.com/);
  assert.deepEqual(order, ['page'], 'the writes were still waiting, and did not hold up the page');
  // Held for at least 6 s, past the 5 s busy timeout, so the writes must have waited off the event loop.
  await delay(Math.max(0, 6000 - (Date.now() - lockedAt)));
  assert.deepEqual(order, ['page'], 'no write got through while the lock was held');
  // Once it goes, the waiting writes get their normal answers.
  holder.release();

  const answer = await signup;
  assert.equal(answer.status, 200);
  assert.match(await answer.text(), /Check your inbox/);
  assert.equal((await oneClick).status, 200);
  assert.equal(store.get('new@example.com')?.status, 'pending', 'the sign-up is stored');
  assert.equal(store.get('leaver@example.com')?.status, 'unsubscribed', 'the unsubscribe is stored');
  // The confirmation email was queued with the sign-up; the server's sender mails it.
  await sender.runOnce();
  assert.deepEqual(inbox.messages.map((m) => m.envelope.to.map((a) => a.toLowerCase())), [['new@example.com']], 'and its confirmation sent');
});
