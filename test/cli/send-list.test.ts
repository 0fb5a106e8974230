/**
 * `newsletter send <issue>` to the whole list (issue 6, hostile inputs 22, 28, 29): the real CLI against a scripted
 * SMTP peer, killed with SIGKILL mid-send, interrupted with Ctrl-C, raced by a second process.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { Inbox } from '../../src/preview/inbox.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { keyringFromEnv, verifyToken } from '../../src/subscribers/tokens.ts';
import { startCli } from '../support/cli-process.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { TEST_SECRET } from '../support/send-harness.ts';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.ts';

const ISSUE = 'issues/2026-11-02-the-vote.md';
const SLUG = 'the-vote';

/** The CLI on the project's own SQLite database, data/newsletter.db. */
const startSend = (dir: string, args: string[], env: Record<string, string> = {}) => startCli(dir, args, { NEWSLETTER_DB: join(dir, 'data', 'newsletter.db'), ...env });

/** A project with one ready issue and `count` active subscribers `r0@example.org`…; the peer is its SMTP server. */
async function project(t: TestContext, count: number, hooks: Parameters<typeof startSmtpPeer>[0] = {}): Promise<{ dir: string; peer: SmtpPeer; addresses: string[]; env: Record<string, string> }> {
  const dir = projectFor(t, { [ISSUE]: issueText('Dear {{subscriber.name}}, the council votes on Tuesday.', 'title: The vote\ndate: 2026-11-02\nstatus: ready') });
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  const addresses = Array.from({ length: count }, (_, i) => `r${i}@example.org`);
  new SqliteSubscriberTable(db).importMany(addresses.map((email, i) => ({ email, emailNormalized: email, name: `Reader ${i}`, attributes: {} })), 'test');
  db.close();
  const peer = await startSmtpPeer(hooks);
  t.after(() => peer.close());
  return { dir, peer, addresses, env: { SMTP_URL: peer.url } };
}

function ledgerCounts(dir: string): Record<string, number> {
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  try {
    const rows = db.prepare('SELECT state, count(*) AS n FROM deliveries GROUP BY state').all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    db.close();
  }
}

test('send: every active subscriber gets one copy with a working one-click unsubscribe link; status reports it', async (t) => {
  const p = await project(t, 25);
  const run = await startSend(p.dir, ['send', SLUG, '--yes', '--json'], p.env).done;
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { outcome: string; finished: boolean; counts: Record<string, number> };
  assert.equal(summary.outcome, 'finished');
  assert.equal(summary.finished, true);
  assert.equal(summary.counts.sent, 25);
  for (const a of p.addresses) assert.equal(p.peer.copiesOf(a), 1, a);
  const message = p.peer.received().find((m) => m.to === 'r7@example.org')!;
  const parsed = await simpleParser(message.raw);
  assert.match(parsed.text ?? '', /Dear Reader 7, the council votes on Tuesday\./);
  const unsubscribe = /^List-Unsubscribe: <https:\/\/dissentdesk\.example\.org\/unsubscribe\/([A-Za-z0-9_.-]+)>\r$/m.exec(message.raw.toString('utf8'));
  assert.ok(unsubscribe, 'one-line https List-Unsubscribe');
  const check = verifyToken(keyringFromEnv(TEST_SECRET), unsubscribe[1]!, 'unsubscribe', new Date());
  assert.ok(check.ok, 'the token in the header is a valid unsubscribe token');
  assert.match(message.raw.toString('utf8'), /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
  const status = await startSend(p.dir, ['status', SLUG, '--json']).done;
  const s = JSON.parse(status.stdout) as { state: string; counts: Record<string, number> };
  assert.equal(s.state, 'finished');
  assert.equal(s.counts.sent, 25);
});

test('send: drafts, http unsubscribe URLs, a missing secret and no --yes without a terminal are refused; a dry run changes nothing', async (t) => {
  const p = await project(t, 3);
  const dry = await startSend(p.dir, ['send', SLUG, '--dry-run'], p.env).done;
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /Recipients: +3 active subscribers/);
  assert.match(dry.stdout, /Transport: +smtp:\/\/127\.0\.0\.1:\d+/);
  assert.deepEqual(ledgerCounts(p.dir), {});
  const noYes = await startSend(p.dir, ['send', SLUG], p.env).done;
  assert.equal(noYes.status, 2);
  assert.match(noYes.stderr, /add --yes/);
  const noSecret = await startSend(p.dir, ['send', SLUG, '--yes'], { ...p.env, NEWSLETTER_SECRET: '' }).done;
  assert.equal(noSecret.status, 1);
  assert.match(noSecret.stderr, /NEWSLETTER_SECRET/);
  writeFileSync(join(p.dir, 'newsletter.yaml'), 'name: Plain\nurl: http://news.example.org\n');
  const http = await startSend(p.dir, ['send', SLUG, '--yes'], p.env).done;
  assert.equal(http.status, 1);
  assert.match(http.stderr, /needs an https:\/\/ "url"/);
  writeFileSync(join(p.dir, ISSUE), issueText('Not yet.', 'title: The vote\ndate: 2026-11-02\nstatus: draft'));
  const draft = await startSend(p.dir, ['send', SLUG, '--yes'], p.env).done;
  assert.equal(draft.status, 1);
  assert.match(draft.stderr, /is a draft/);
  assert.equal(p.peer.received().length, 0);
  assert.deepEqual(ledgerCounts(p.dir), {});
});

test('send: an issue already sent needs --force-resend, which sends it again to everyone active', async (t) => {
  const p = await project(t, 4);
  assert.equal((await startSend(p.dir, ['send', SLUG, '--yes'], p.env).done).status, 0);
  const again = await startSend(p.dir, ['send', SLUG, '--yes'], p.env).done;
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already sent: 4 sent.*\n.*add --force-resend/);
  const resume = await startSend(p.dir, ['send', SLUG, '--resume', '--yes'], p.env).done;
  assert.equal(resume.status, 1);
  assert.match(resume.stderr, /no unfinished send/);
  for (const a of p.addresses) assert.equal(p.peer.copiesOf(a), 1);
  const forced = await startSend(p.dir, ['send', SLUG, '--yes', '--force-resend'], p.env).done;
  assert.equal(forced.status, 0, forced.stderr);
  for (const a of p.addresses) assert.equal(p.peer.copiesOf(a), 2);
});

test('send: killed with SIGKILL at several points, then resumed: everyone gets it; only rows reported in doubt got two', async (t) => {
  const CONCURRENCY = 4;
  let accepted = 0;
  let killAt = Infinity;
  let current: ChildProcess | null = null;
  const p = await project(t, 2000, {
    onData: () => {
      if (++accepted >= killAt && current) {
        current.kill('SIGKILL');
        current = null;
        return 'hang';
      }
      return undefined;
    },
  });
  const args = ['send', SLUG, '--yes', '--json', '--concurrency', String(CONCURRENCY)];
  for (const point of [1, 600, 1400]) {
    killAt = point;
    const run = startSend(p.dir, args, p.env);
    current = run.child;
    const result = await run.done;
    assert.equal(result.signal, 'SIGKILL', `killed at message ${point}: ${result.stderr}`);
    const counts = ledgerCounts(p.dir);
    assert.ok((counts.sending ?? 0) <= CONCURRENCY, `at most ${CONCURRENCY} rows were in flight at the kill (${counts.sending})`);
  }
  killAt = Infinity;
  const last = await startSend(p.dir, args, p.env).done;
  assert.equal(last.status, 0, last.stderr);
  const summary = JSON.parse(last.stdout) as { counts: { sent: number; in_doubt: number }; inDoubt: string[] };
  const inDoubt = new Set(summary.inDoubt);
  assert.ok(inDoubt.size >= 1 && inDoubt.size <= 3 * CONCURRENCY, `in doubt: ${inDoubt.size}`);
  assert.match(last.stdout + last.stderr, /In doubt: +\d+ messages were in flight/);
  assert.equal(summary.counts.sent + summary.counts.in_doubt, 2000);
  for (const a of p.addresses) {
    if (!inDoubt.has(a)) assert.equal(p.peer.copiesOf(a), 1, `${a} was not in doubt`);
  }
  // A dry run of the resend changes nothing, not even reopening the finished send.
  const before = ledgerCounts(p.dir);
  const dry = await startSend(p.dir, ['send', SLUG, '--dry-run', '--resend-in-doubt'], p.env).done;
  assert.equal(dry.status, 0, dry.stderr);
  assert.deepEqual(ledgerCounts(p.dir), before);
  assert.equal((await startSend(p.dir, ['status', SLUG, '--json']).done).stdout.includes('"state": "finished"'), true);
  // The writer chooses to resend the rows in doubt: now nobody is missing, and only they may have two copies.
  const resend = await startSend(p.dir, [...args, '--resend-in-doubt'], p.env).done;
  assert.equal(resend.status, 0, resend.stderr);
  for (const a of p.addresses) {
    const copies = p.peer.copiesOf(a);
    assert.ok(copies >= 1, `${a} never got the issue`);
    if (copies > 1) assert.ok(inDoubt.has(a) && copies === 2, `${a} got ${copies} copies without being reported in doubt`);
  }
  assert.deepEqual(ledgerCounts(p.dir), { sent: 2000 });
});

test('send: two processes sending the same issue at once never give anyone two copies', async (t) => {
  const p = await project(t, 600);
  const args = ['send', SLUG, '--yes', '--json', '--rate', '300'];
  const [a, b] = await Promise.all([startSend(p.dir, args, p.env).done, startSend(p.dir, args, p.env).done]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  for (const address of p.addresses) assert.equal(p.peer.copiesOf(address), 1, address);
  assert.equal(p.peer.received().length, 600);
  const summaries = [a, b].map((r) => JSON.parse(r.stdout) as { outcome: string; finished: boolean });
  assert.deepEqual(summaries.map((s) => s.outcome), ['finished', 'finished']);
  // The one that ends last sees the send settled (the other may end while the last messages are in flight).
  assert.ok(summaries.some((s) => s.finished));
  assert.deepEqual(ledgerCounts(p.dir), { sent: 600 });
});

test('send: an unsubscribe during the send is honoured: that subscriber gets nothing and the row is suppressed', async (t) => {
  let unsubscribed = false;
  let dir = '';
  const p = await project(t, 300, {
    onData: () => {
      if (!unsubscribed && dir) {
        unsubscribed = true;
        const db = openDatabase(join(dir, 'data', 'newsletter.db'));
        new SqliteSubscriberTable(db).setStatus('r250@example.org', 'unsubscribed', 'one-click unsubscribe from the mail client', 'one-click');
        db.close();
      }
      return undefined;
    },
  });
  dir = p.dir;
  const run = await startSend(p.dir, ['send', SLUG, '--yes', '--json', '--rate', '150'], p.env).done;
  assert.equal(run.status, 0, run.stderr);
  assert.ok(unsubscribed);
  assert.equal(p.peer.copiesOf('r250@example.org'), 0);
  assert.deepEqual(ledgerCounts(p.dir), { sent: 299, suppressed: 1 });
});

test('send: Ctrl-C pauses cleanly (messages in flight finish, the rest stay queued) and --resume completes it', async (t) => {
  let current: ChildProcess | null = null;
  const p = await project(t, 300, {
    onData: () => {
      if (p.peer.received().length >= 20 && current) {
        current.kill('SIGINT');
        current = null;
      }
      return undefined;
    },
  });
  const run = startSend(p.dir, ['send', SLUG, '--yes', '--rate', '100'], p.env);
  current = run.child;
  const paused = await run.done;
  assert.equal(paused.status, 130, paused.stderr);
  assert.match(paused.stderr, /Pausing/);
  assert.match(paused.stdout + paused.stderr, /newsletter send the-vote --resume/);
  const counts = ledgerCounts(p.dir);
  assert.equal(counts.sending, undefined, 'nothing left in flight');
  assert.equal(counts.sent, p.peer.received().length);
  assert.ok((counts.queued ?? 0) > 200, `the rest stays queued (${counts.queued})`);
  const resumed = await startSend(p.dir, ['send', SLUG, '--resume', '--yes'], p.env).done;
  assert.equal(resumed.status, 0, resumed.stderr);
  for (const a of p.addresses) assert.equal(p.peer.copiesOf(a), 1, a);
  assert.ok(!existsSync(join(p.dir, 'dist', 'outbox')), 'SMTP_URL was used, not the outbox');
});

test('send: with no SMTP server, a whole send lands as one .eml file per subscriber in dist/outbox/<slug>/', async (t) => {
  const p = await project(t, 6);
  const db = openDatabase(join(p.dir, 'data', 'newsletter.db'));
  // Two addresses that read alike once made safe for a file name still get a file each.
  const store = new SqliteSubscriberTable(db);
  for (const email of ['a+b@example.org', 'a_b@example.org']) store.add({ email, emailNormalized: email, name: '', status: 'active', source: 'cli', reason: 'test' });
  db.close();
  const run = await startSend(p.dir, ['send', SLUG, '--yes'], { SMTP_URL: '' }).done;
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Transport: +\.eml files in dist\/outbox\/the-vote\//);
  const dir = join(p.dir, 'dist', 'outbox', SLUG);
  const files = readdirSync(dir);
  assert.equal(files.length, 8);
  const parsed = await simpleParser(readFileSync(join(dir, files.find((f) => f.startsWith('r3@'))!)));
  assert.match(parsed.text ?? '', /Dear Reader 3, the council votes/);
  assert.equal(parsed.subject, 'The vote');
  assert.deepEqual(ledgerCounts(p.dir), { sent: 8 });
});

test('send: with no SMTP_URL but a preview running, the whole send lands in the preview\'s inbox', async (t) => {
  const p = await project(t, 5);
  const inbox = new Inbox();
  await inbox.listen(0);
  t.after(() => inbox.close());
  const run = await startSend(p.dir, ['send', SLUG, '--yes'], { SMTP_URL: '', NEWSLETTER_INBOX_PORT: String(inbox.port) }).done;
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Transport: +the preview's local inbox \(127\.0\.0\.1:\d+\)/);
  assert.deepEqual(inbox.messages.map((m) => m.envelope.to[0]).sort(), p.addresses);
  assert.ok(!existsSync(join(p.dir, 'dist', 'outbox')));
});
