/** The confirmation queue's sender (issue 12, finding 3): retries with backoff, gives up, survives a restart. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { createSmtpTransport } from '../../src/send/transport/smtp-transport.ts';
import { ConfirmationSender, DEFAULT_RETRY_FOR_MS } from '../../src/server/confirmation-sender.ts';
import { SqliteSignUps } from '../../src/store/sqlite-sign-ups.ts';
import { SqliteConfirmationQueue, SqliteConfirmationTable } from '../../src/store/sqlite-confirmation-queue.ts';
import { openDatabase, type Db } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { keyringFromEnv, verifyToken } from '../../src/subscribers/tokens.ts';
import { projectFor, projectSetup } from '../support/fixtures.ts';
import { startSmtpPeer, type PeerHooks } from '../support/smtp-peer.ts';

const keyring = keyringFromEnv('a-test-secret-that-is-long-enough-0123456789');

async function until(condition: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !condition(); ) {
    if (Date.now() > end) throw new Error('gave up waiting');
    await sleep(20);
  }
}

/** A database file, a peer, a clock, and a way to make (and remake, as after a restart) the sender. */
async function setUp(t: TestContext, hooks: PeerHooks = {}) {
  const path = join(projectFor(t), 'data', 'test.db');
  const peer = await startSmtpPeer(hooks);
  t.after(() => peer.close());
  const { config } = await projectSetup();
  const clock = { now: Date.parse('2026-11-25T10:00:00Z') };
  const now = () => new Date(clock.now);
  const logged: string[] = [];
  const open = (): Db => {
    const db = openDatabase(path);
    t.after(() => db.close());
    return db;
  };
  const sender = (db: Db, options: { leaseMs?: number } = {}) => {
    const s = new ConfirmationSender({ queue: new SqliteConfirmationQueue(db, now), config, keyring, now, log: (line) => logged.push(line), openTransport: () => createSmtpTransport({ url: peer.url, concurrency: 2, timeoutMs: 2000 }), ...options });
    t.after(() => s.stop());
    return s;
  };
  const db = open();
  const store = new SqliteSubscriberTable(db, now);
  const queue = new SqliteConfirmationTable(db);
  const signUps = new SqliteSignUps(db, now);
  const signUpAs = (email: string) => signUps.signUp({ email, emailNormalized: email.toLowerCase(), name: '' }, now());
  return { peer, clock, logged, open, sender, db, store, queue, signUpAs };
}

const only = <T>(rows: T[]): T => {
  assert.equal(rows.length, 1);
  return rows[0]!;
};

test('sender: temporary failures are retried with growing, jittered delays, then given up a day after the sign-up, with a log line', async (t) => {
  const s = await setUp(t, { onRcptTo: () => ({ code: 451, message: '4.7.1 greylisted' }) });
  const sender = s.sender(s.db);
  const { subscriber } = await s.signUpAs('grey@example.com');
  const start = s.clock.now;
  const delays: number[] = [];
  for (let i = 0; i < 100; i++) {
    await sender.runOnce();
    const row = only(s.queue.forSubscriber(subscriber.id));
    if (row.state !== 'queued') break;
    delays.push(row.nextAttemptAt - s.clock.now);
    s.clock.now = row.nextAttemptAt;
  }
  const row = only(s.queue.forSubscriber(subscriber.id));
  assert.equal(row.state, 'failed');
  assert.match(row.reply ?? '', /given up after \d+ attempts: .*451/);
  assert.ok(s.clock.now - start <= DEFAULT_RETRY_FOR_MS, 'no attempt after the day');
  assert.ok(delays[0]! >= 27_000 && delays[0]! <= 33_000, `first delay ${delays[0]}`);
  for (let i = 1; i < 6; i++) assert.ok(delays[i]! > delays[i - 1]!, `delays grow: ${delays.slice(0, 7).join(', ')}`);
  assert.ok(delays.slice(6).every((d) => d >= 27 * 60_000 && d <= 33 * 60_000), 'then about every 30 minutes');
  assert.equal(new Set(delays.slice(6)).size > 1, true, 'jittered');
  assert.equal(s.peer.received().length, 0);
  assert.match(s.logged.at(-1) ?? '', /^confirmation email to g\*\*\*@example\.com: given up after \d+ attempts over 2\d h \(451 4\.7\.1 greylisted\)$/);
  assert.ok(!s.logged.join('\n').includes('grey@'), 'addresses masked');
  assert.equal(s.store.get('grey@example.com')?.status, 'pending', 'a temporary failure blames nobody');
});

test('sender: rows survive a restart: queued ones go out at once, and a dead sender\'s claimed row once its lease ends', async (t) => {
  const s = await setUp(t);
  await s.signUpAs('queued@example.com');
  const { subscriber: claimed } = await s.signUpAs('claimed@example.com');
  // A sender claims a row and dies before sending it (kill -9): the row stays `sending`, held by its lease.
  const lease = 10 * 60_000;
  const taken = s.queue.claimDue(s.clock.now, 1, lease).map((r) => r.email).concat(s.queue.claimDue(s.clock.now, 1, lease).map((r) => r.email));
  assert.deepEqual(taken, ['queued@example.com', 'claimed@example.com']);
  s.db.close();
  // Restart: another connection, another sender; as `serve` starts it.
  const db = s.open();
  const queue = new SqliteConfirmationTable(db);
  const sender = s.sender(db, { leaseMs: lease });
  await sender.runOnce();
  assert.equal(s.peer.received().length, 0, 'both still held by the dead sender’s lease');
  s.clock.now += lease;
  sender.start();
  await until(() => s.peer.received().length === 2);
  await sender.stop();
  assert.equal(s.peer.copiesOf('queued@example.com'), 1);
  assert.equal(s.peer.copiesOf('claimed@example.com'), 1);
  assert.equal(only(queue.forSubscriber(claimed.id)).state, 'sent');
  // The link in it is for that subscriber, issued when it was sent.
  const mail = await simpleParser(s.peer.received().find((m) => m.to === 'claimed@example.com')!.raw);
  const token = /\/confirm\/([A-Za-z0-9_.-]+)/.exec(mail.text ?? '')?.[1] ?? '';
  const check = verifyToken(keyring, token, 'confirm', new Date(s.clock.now));
  assert.ok(check.ok && 'key' in check.subject && check.subject.key === claimed.tokenKey && check.issuedAt.getTime() === Math.floor(s.clock.now / 1000) * 1000);
});

test('sender: a started loop sends a row as soon as it is queued (wake), and stops cleanly', async (t) => {
  const s = await setUp(t);
  const sender = s.sender(s.db);
  sender.start();
  await s.signUpAs('soon@example.com');
  sender.wake();
  await until(() => s.peer.copiesOf('soon@example.com') === 1);
  await sender.stop();
  await s.signUpAs('later@example.com');
  sender.wake();
  await sleep(200);
  assert.equal(s.peer.copiesOf('later@example.com'), 0, 'a stopped sender sends nothing');
  assert.equal(only(s.queue.forSubscriber(s.store.get('later@example.com')!.id)).state, 'queued', 'it waits for the next start');
});

test('sender: a 550 5.1.1 marks the pending subscriber bounced, never retried; someone confirmed or gone meanwhile gets nothing', async (t) => {
  const s = await setUp(t, { onRcptTo: (address) => (address.startsWith('nobody@') ? { code: 550, message: '5.1.1 <nobody@example.com>: user unknown' } : undefined) });
  const sender = s.sender(s.db);
  const { subscriber: nobody } = await s.signUpAs('nobody@example.com');
  await s.signUpAs('confirmed@example.com');
  await s.signUpAs('left@example.com');
  s.store.setStatus('confirmed@example.com', 'active', 'confirmed another way', 'cli');
  s.store.setStatus('left@example.com', 'unsubscribed', 'changed their mind', 'cli');
  await sender.runOnce();
  const row = only(s.queue.forSubscriber(nobody.id));
  assert.equal(row.state, 'failed');
  assert.equal(row.attempts, 1);
  assert.equal(s.store.get('nobody@example.com')?.status, 'bounced');
  assert.deepEqual(s.store.events('nobody@example.com').at(-1), { at: new Date(s.clock.now).toISOString(), from: 'pending', to: 'bounced', reason: 'confirmation email bounced: 550 5.1.1 <nobody@example.com>: user unknown', via: 'bounce' });
  assert.equal(s.peer.received().length, 0);
  for (const email of ['confirmed@example.com', 'left@example.com']) assert.equal(only(s.queue.forSubscriber(s.store.get(email)!.id)).state, 'skipped');
  assert.ok(s.logged.includes('confirmation email to n***@example.com: refused, marked bounced (550 5.1.1 <n***@example.com>: user unknown)'), s.logged.join('\n'));
  s.clock.now += 2 * 86_400_000;
  await sender.runOnce();
  assert.equal(s.peer.dataReceived('nobody@example.com'), 0, 'never retried');
});

test('sender: when the transport cannot be opened, the claimed rows are rescheduled like a temporary failure, not left held', async (t) => {
  const s = await setUp(t);
  const { config } = await projectSetup();
  let broken = true;
  const working = () => createSmtpTransport({ url: s.peer.url, concurrency: 1, timeoutMs: 2000 });
  const sender = new ConfirmationSender({ queue: new SqliteConfirmationQueue(s.db), config, keyring, now: () => new Date(s.clock.now), log: (line) => s.logged.push(line), openTransport: () => {
    if (broken) throw new Error('the outbox folder is not writable');
    return working();
  } });
  const { subscriber } = await s.signUpAs('patient@example.com');
  await sender.runOnce();
  const row = only(s.queue.forSubscriber(subscriber.id));
  assert.equal(row.state, 'queued');
  assert.equal(row.lastError, 'the outbox folder is not writable');
  broken = false;
  s.clock.now = row.nextAttemptAt;
  await sender.runOnce();
  assert.equal(s.peer.copiesOf('patient@example.com'), 1);
});
