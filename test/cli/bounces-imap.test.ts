/**
 * `newsletter bounces --imap` against a real IMAP server (Debian's Dovecot on 127.0.0.1): delivery reports, an ARF
 * complaint and an emailed unsubscribe delivered into the mailbox update the list once; a second run reads nothing
 * new; `--imap-move` moves what it handled; a refused login says so without the password.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { cliSync, sentToReaders, sqliteStatuses as statuses } from '../support/bounces-cli.ts';
import { startDovecot, needsDovecot, type Dovecot } from '../support/dovecot.ts';
import { complaint, dsn, outOfOffice, unsubscribeRequest } from '../support/returned-mail.ts';

const UNSUBSCRIBE = 'unsubscribe@dissentdesk.example.org';

const cli = (dir: string, args: string[], imapUrl: string) => cliSync(dir, args, { IMAP_URL: imapUrl });

/** A project with four readers who were each sent the issue; idOf gives each copy's Message-ID. */
const sentProject = (t: TestContext) => sentToReaders(t, ['r0@example.org', 'r1@example.org', 'r2@example.org', 'r3@example.org'], `sending:\n  unsubscribe_mailto: ${UNSUBSCRIBE}`);

/** What the server holds now: messages per folder, and how many carry the handled keyword. */
async function mailboxState(d: Dovecot, folder: string): Promise<{ messages: number; handled: number }> {
  const client = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, auth: { user: d.user, pass: d.password }, logger: false });
  await client.connect();
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const all = (await client.search({ all: true }, { uid: true })) || [];
      const handled = (await client.search({ keyword: '$NewsletterHandled' }, { uid: true })) || [];
      return { messages: all.length, handled: handled.length };
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

type Report = { dryRun: boolean; messages: number; counts: Record<string, number>; results: { outcome: string; email: string | null; source: string }[] };

test('bounces --imap: a DSN, an ARF complaint and an emailed unsubscribe from the mailbox are applied once; the second run reads nothing', needsDovecot, async (t) => {
  const imap = await startDovecot(t);
  const { dir, idOf } = sentProject(t);
  imap.deliver('dsn', dsn({ to: 'r0@example.org', status: '5.1.1', messageId: idOf('r0@example.org') }));
  imap.deliver('delayed', dsn({ to: 'r1@example.org', status: '4.2.2', action: 'delayed', messageId: idOf('r1@example.org') }));
  imap.deliver('arf', complaint({ to: 'r2@example.org', messageId: idOf('r2@example.org') }));
  imap.deliver('unsubscribe', unsubscribeRequest({ from: 'r3@example.org', to: UNSUBSCRIBE }));
  imap.deliver('ooo', outOfOffice('r1@example.org'));
  const before = statuses(dir);

  // A dry run reads everything, changes nothing and marks nothing.
  const dry = cli(dir, ['bounces', '--imap', '--dry-run', '--json'], imap.url);
  assert.equal(dry.status, 0, dry.stderr);
  const dryReport = JSON.parse(dry.stdout) as Report;
  assert.equal(dryReport.messages, 5);
  assert.deepEqual(statuses(dir), before);
  assert.deepEqual(await mailboxState(imap, 'INBOX'), { messages: 5, handled: 0 });

  const first = cli(dir, ['bounces', '--imap', '--json'], imap.url);
  assert.equal(first.status, 0, first.stderr);
  const report = JSON.parse(first.stdout) as Report;
  assert.equal(report.messages, 5);
  assert.deepEqual(
    { bounced: report.counts.bounced, complained: report.counts.complained, unsubscribed: report.counts.unsubscribed, kept: report.counts.kept, skipped: report.counts.skipped },
    { bounced: 1, complained: 1, unsubscribed: 1, kept: 1, skipped: 1 },
  );
  assert.ok(report.results.every((r) => /^imap:INBOX\/uid \d+$/.test(r.source)), 'each result names the message it came from');
  assert.deepEqual(statuses(dir), { 'r0@example.org': 'bounced', 'r1@example.org': 'active', 'r2@example.org': 'complained', 'r3@example.org': 'unsubscribed' });
  assert.deepEqual(await mailboxState(imap, 'INBOX'), { messages: 5, handled: 5 }, 'every message handled is flagged, none deleted');

  const second = cli(dir, ['bounces', '--imap'], imap.url);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /^0 messages read$/m);
  assert.deepEqual(statuses(dir), { 'r0@example.org': 'bounced', 'r1@example.org': 'active', 'r2@example.org': 'complained', 'r3@example.org': 'unsubscribed' });

  // New mail after that is read on its own.
  imap.deliver('late', dsn({ to: 'r1@example.org', status: '5.1.1', messageId: idOf('r1@example.org') }));
  const third = cli(dir, ['bounces', '--imap'], imap.url);
  assert.match(third.stdout, /^1 message read; 1 bounced$/m);
  assert.equal(statuses(dir)['r1@example.org'], 'bounced');
});

test('bounces --imap-move: handled messages move to the folder, created when missing, and are not read again', needsDovecot, async (t) => {
  const imap = await startDovecot(t);
  const { dir, idOf } = sentProject(t);
  imap.deliver('dsn', dsn({ to: 'r0@example.org', status: '5.1.1', messageId: idOf('r0@example.org') }));
  imap.deliver('arf', complaint({ to: 'r2@example.org', messageId: idOf('r2@example.org') }));

  const run = cli(dir, ['bounces', '--imap-move', 'Handled'], imap.url);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^2 messages read; 1 bounced, 1 complained$/m);
  assert.deepEqual(await mailboxState(imap, 'INBOX'), { messages: 0, handled: 0 });
  assert.deepEqual(await mailboxState(imap, 'Handled'), { messages: 2, handled: 2 });

  const again = cli(dir, ['bounces', '--imap-move', 'Handled'], imap.url);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^0 messages read$/m);
});

test('bounces --imap: a refused login is an error naming the server and user, never the password, and nothing changes', needsDovecot, async (t) => {
  const imap = await startDovecot(t);
  const { dir, idOf } = sentProject(t);
  imap.deliver('dsn', dsn({ to: 'r0@example.org', status: '5.1.1', messageId: idOf('r0@example.org') }));
  const wrong = 'Wr0ng-secret-Zx9';
  const run = cli(dir, ['bounces', '--imap'], `imap://${imap.user}:${wrong}@127.0.0.1:${imap.port}/INBOX`);
  assert.equal(run.status, 1);
  assert.match(run.stderr, new RegExp(`refused the login for ${imap.user}`));
  assert.match(run.stderr, new RegExp(`127\\.0\\.0\\.1:${imap.port}`));
  assert.ok(!`${run.stdout}${run.stderr}`.includes(wrong), 'the password never appears');
  assert.equal(statuses(dir)['r0@example.org'], 'active');
  assert.deepEqual(await mailboxState(imap, 'INBOX'), { messages: 1, handled: 0 });
});
