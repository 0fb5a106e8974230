/**
 * `newsletter db backup` and `db restore` (issue 14): an online, consistent copy while a real send writes to the
 * database, holding every row committed before it; a restore that keeps what it replaces and refuses what is not a
 * newsletter database, a newer schema, or a database in use.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { startSmtpPeer } from '../support/smtp-peer.ts';
import { runCliAsync } from '../support/cli-process.ts';

const cli = runCliAsync;

function sentIn(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM deliveries WHERE state = 'sent'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function project(t: TestContext, subscribers: number): string {
  const dir = projectFor(t, { 'issues/2026-11-02-the-vote.md': issueText('Dear {{subscriber.name}}, the vote is Tuesday.', 'title: The vote\ndate: 2026-11-02\nstatus: ready') });
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  const addresses = Array.from({ length: subscribers }, (_, i) => `r${i}@example.org`);
  new SqliteSubscriberTable(db).importMany(addresses.map((email, i) => ({ email, emailNormalized: email, name: `Reader ${i}`, attributes: {} })), 'test');
  db.close();
  return dir;
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 25));
};

test('db backup during a running send: the copy opens, passes integrity_check and holds every delivery committed before it', async (t) => {
  const dir = project(t, 150);
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const database = join(dir, 'data', 'newsletter.db');
  // 25 messages a second: the send is still writing while the backup runs.
  const sending = cli(dir, ['send', 'the-vote', '--yes', '--rate', '25'], { SMTP_URL: peer.url });
  await until(() => existsSync(database) && sentIn(database) >= 20);
  const before = sentIn(database);
  const backup = await cli(dir, ['db', 'backup', 'backup.db']);
  const after = sentIn(database);
  assert.equal(backup.status, 0, backup.err);
  assert.match(backup.out, /^Backed up data\/newsletter\.db to backup\.db \(rows per table\):$/m);
  assert.match(backup.out, /^ {2}subscribers +150$/m);
  const copy = join(dir, 'backup.db');
  const inCopy = sentIn(copy);
  assert.ok(before <= inCopy && inCopy <= after, `sent before ${before} ≤ in the backup ${inCopy} ≤ after ${after}`);
  const opened = new Database(copy, { readonly: true });
  assert.equal(opened.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal((opened.prepare('SELECT count(*) AS n FROM deliveries').get() as { n: number }).n, 150, 'the frozen list is whole');
  opened.close();
  assert.equal(readdirSync(dir).filter((f) => f.includes('.partial')).length, 0, 'no temporary file left');
  const finished = await sending;
  assert.equal(finished.status, 0, finished.err);
  assert.ok(sentIn(database) === 150 && inCopy < 150, 'the backup was taken mid-send');

  // The same name again is refused: a backup never overwrites.
  const again = await cli(dir, ['db', 'backup', 'backup.db']);
  assert.equal(again.status, 1);
  assert.match(again.err, /backup\.db already exists; choose a new name/);
  assert.equal(sentIn(copy), inCopy, 'the first backup is untouched');

  // Restore it: the database is the backup again, and the one it replaced is kept, whole.
  const restored = await cli(dir, ['db', 'restore', 'backup.db']);
  assert.equal(restored.status, 0, restored.err);
  assert.equal(sentIn(database), inCopy);
  const kept = readdirSync(join(dir, 'data')).find((f) => f.startsWith('newsletter.db.before-restore-'));
  assert.ok(kept, restored.out);
  assert.match(restored.out, new RegExp(`kept as data/${kept!.replace(/[.]/g, '\\.')}`));
  assert.equal(sentIn(join(dir, 'data', kept!)), 150);
  // The restored database carries on: a later send resumes what the backup had left to do; the messages that were
  // being handed to SMTP at the moment of the backup are in doubt, as after a crash, and not sent again unasked.
  const states = (path: string) => {
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT state, count(*) AS n FROM deliveries GROUP BY state').all() as { state: string; n: number }[];
    db.close();
    return Object.fromEntries(rows.map((r) => [r.state, r.n])) as Record<string, number>;
  };
  const inFlight = states(copy).sending ?? 0;
  const resumed = await cli(dir, ['send', 'the-vote', '--yes', '--resume'], { SMTP_URL: peer.url });
  assert.equal(resumed.status, 0, resumed.err);
  assert.deepEqual(states(database), inFlight > 0 ? { sent: 150 - inFlight, in_doubt: inFlight } : { sent: 150 });
});

test('db restore refuses a file that is not a newsletter database, a newer schema, and a database in use; nothing changes', async (t) => {
  const dir = project(t, 3);
  const database = join(dir, 'data', 'newsletter.db');
  writeFileSync(join(dir, 'notes.db'), 'just some text, not SQLite at all '.repeat(200));
  const other = new Database(join(dir, 'other.db'));
  other.exec('CREATE TABLE things (x)');
  other.close();
  const made = await cli(dir, ['db', 'backup', 'good.db']);
  assert.equal(made.status, 0, made.err);
  copyFileSync(join(dir, 'good.db'), join(dir, 'newer.db'));
  const newer = new Database(join(dir, 'newer.db'));
  newer.pragma('user_version = 999');
  newer.close();
  for (const [file, reason] of [
    ['notes.db', /notes\.db is not a SQLite database/],
    ['other.db', /other\.db is not a newsletter database/],
    ['newer.db', /newer\.db was made by a newer version of newsletter \(schema 999; this one knows up to \d+\): upgrade first/],
    ['missing.db', /missing\.db cannot be opened/],
  ] as const) {
    const run = await cli(dir, ['db', 'restore', file]);
    assert.equal(run.status, 1, file);
    assert.match(run.err, reason);
    assert.match(run.err, /nothing was changed/);
  }
  // serve, a send or an import holding the database open: refused.
  const holder = new Database(database);
  holder.prepare('SELECT count(*) FROM subscribers').get();
  const busy = await cli(dir, ['db', 'restore', 'good.db']);
  holder.close();
  assert.equal(busy.status, 1);
  assert.match(busy.err, /is in use by another process \(serve, a send\?\): stop it, then restore; nothing was changed/);
  assert.deepEqual(readdirSync(join(dir, 'data')).filter((f) => f.includes('before-restore')), [], 'nothing kept, nothing replaced');
  const count = new Database(database, { readonly: true });
  assert.equal((count.prepare('SELECT count(*) AS n FROM subscribers').get() as { n: number }).n, 3);
  count.close();
});
