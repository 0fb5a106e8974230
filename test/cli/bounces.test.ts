/**
 * `newsletter bounces`: returned mail from a real send (the outbox) updates the list. Only reports about a message
 * this newsletter sent to that subscriber count; temporary failures, other refusals and forged reports change nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliSync as cli, sentToReaders, sqliteStatuses as statuses } from '../support/bounces-cli.ts';
import { projectFor } from '../support/fixtures.ts';
import { complaint, dsn, outOfOffice, unsubscribeRequest } from '../support/returned-mail.ts';

const UNSUBSCRIBE = 'unsubscribe@dissentdesk.example.org';

test('bounces: reports about sent messages bounce, complain or unsubscribe exactly the right subscribers; a dry run changes nothing', async (t) => {
  const readers = Array.from({ length: 7 }, (_, i) => `r${i}@example.org`);
  // Each reader's copy's Message-ID (idOf) comes from the outbox the send wrote.
  const { dir, idOf } = sentToReaders(t, readers, `sending:\n  unsubscribe_mailto: ${UNSUBSCRIBE}`);

  mkdirSync(join(dir, 'returned', 'cur'), { recursive: true });
  mkdirSync(join(dir, 'returned', 'new'), { recursive: true });
  const mbox = [
    dsn({ to: 'r0@example.org', status: '5.1.1', messageId: idOf('r0@example.org') }),
    dsn({ to: 'r1@example.org', status: '4.2.2', action: 'delayed', messageId: idOf('r1@example.org') }),
    dsn({ to: 'r2@example.org', status: '5.7.1', diagnostic: '550 5.7.1 refused as spam', messageId: idOf('r2@example.org') }),
  ]
    .map((m, i) => `From MAILER-DAEMON Wed Nov 25 08:0${i}:00 2026\n${m.replace(/^From /gm, '>From ')}\n`)
    .join('');
  writeFileSync(join(dir, 'returned', 'reports.mbox'), mbox);
  writeFileSync(join(dir, 'returned', 'cur', '1.host:2,S'), complaint({ to: 'r3@example.org', messageId: idOf('r3@example.org') }));
  // A forged report: the right address, but a message this newsletter never sent to r4.
  writeFileSync(join(dir, 'returned', 'cur', '2.host:2,S'), dsn({ to: 'r4@example.org', status: '5.1.1', messageId: idOf('r0@example.org') }));
  writeFileSync(join(dir, 'returned', 'new', '3.host'), unsubscribeRequest({ from: 'r5@example.org', to: UNSUBSCRIBE }));
  writeFileSync(join(dir, 'returned', 'new', '4.host'), dsn({ to: 'stranger@example.net', status: '5.1.1', messageId: '<x@y>' }));
  writeFileSync(join(dir, 'returned', 'new', '5.host'), outOfOffice('r6@example.org'));
  writeFileSync(join(dir, 'returned', 'new', '6.host'), dsn({ to: 'r6@example.org', status: '5.1.1', messageId: null }));

  const before = statuses(dir);
  const dry = cli(dir, ['bounces', 'returned', '--dry-run', '--json']);
  assert.equal(dry.status, 0, dry.stderr);
  const report = JSON.parse(dry.stdout) as { dryRun: boolean; messages: number; counts: Record<string, number>; results: { outcome: string; email: string | null; source: string }[] };
  assert.equal(report.dryRun, true);
  assert.equal(report.messages, 9);
  assert.deepEqual(report.counts, { bounced: 1, complained: 1, unsubscribed: 1, unchanged: 0, kept: 2, unverified: 2, 'not on the list': 1, skipped: 1 });
  const outcome = (email: string) => report.results.filter((r) => r.email === email).map((r) => r.outcome);
  assert.deepEqual(outcome('r0@example.org'), ['bounced']);
  assert.deepEqual(outcome('r3@example.org'), ['complained']);
  assert.deepEqual(outcome('r4@example.org'), ['unverified'], 'a report about a message r4 never got');
  assert.deepEqual(outcome('r6@example.org'), ['unverified'], 'a report without the original message');
  assert.ok(report.results.some((r) => r.source === 'returned/reports.mbox#2' && r.outcome === 'kept'));
  assert.deepEqual(statuses(dir), before, 'a dry run changes nothing');

  const real = cli(dir, ['bounces', 'returned']);
  assert.equal(real.status, 0, real.stderr);
  assert.match(real.stdout, /9 messages read; 1 bounced, 1 complained, 1 unsubscribed, 2 kept, 2 unverified, 1 not on the list, 1 skipped$/m);
  assert.match(real.stdout, /^bounced +r0@example\.org +bounced \(mailbox\): 5\.1\.1 550 5\.1\.1/m);
  assert.deepEqual(statuses(dir), {
    'r0@example.org': 'bounced',
    'r1@example.org': 'active',
    'r2@example.org': 'active',
    'r3@example.org': 'complained',
    'r4@example.org': 'active',
    'r5@example.org': 'unsubscribed',
    'r6@example.org': 'active',
  });
  const show = cli(dir, ['subscribers', 'show', 'r0@example.org']);
  assert.match(show.stdout, /bounce-report/);
  assert.match(cli(dir, ['subscribers', 'show', 'r3@example.org']).stdout, /complaint-report/);

  // Reading the same mail again changes nothing more: every report was recorded once, and r5 is unsubscribed already.
  const again = JSON.parse(cli(dir, ['bounces', 'returned', '--json']).stdout) as { counts: Record<string, number> };
  assert.deepEqual(again.counts, { bounced: 0, complained: 0, unsubscribed: 0, unchanged: 8, kept: 0, unverified: 0, 'not on the list': 0, skipped: 1 });
  assert.deepEqual(statuses(dir), { ...before, 'r0@example.org': 'bounced', 'r3@example.org': 'complained', 'r5@example.org': 'unsubscribed' });
});

test('bounces: a path that cannot be read is an error naming it, and nothing changes', (t) => {
  const dir = projectFor(t);
  const run = cli(dir, ['bounces', 'no-such-folder']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /cannot read .*no-such-folder/);
});

test('bounces: provider event files (SES via SNS, SendGrid, generic) apply once; a file with a bad line changes nothing', async (t) => {
  const { dir, idOf } = sentToReaders(t, ['r0@example.org', 'r1@example.org', 'r2@example.org', 'r3@example.org']);
  const ses = (email: string) => ({
    notificationType: 'Bounce',
    bounce: { bounceType: 'Permanent', bounceSubType: 'NoEmail', bouncedRecipients: [{ emailAddress: email, status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 no such user' }], timestamp: new Date().toISOString() },
    mail: { messageId: `ses-${email}`, timestamp: new Date().toISOString(), commonHeaders: { messageId: idOf(email) } },
  });
  mkdirSync(join(dir, 'feedback'));
  writeFileSync(join(dir, 'feedback', 'ses.jsonl'), `${JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', Message: JSON.stringify(ses('r0@example.org')) })}\n`);
  writeFileSync(
    join(dir, 'feedback', 'sendgrid.json'),
    JSON.stringify([
      { email: 'r1@example.org', event: 'spamreport', timestamp: Math.floor(Date.now() / 1000), 'smtp-id': idOf('r1@example.org'), sg_event_id: 'e1', sg_message_id: 'sg1.f' },
      { email: 'r1@example.org', event: 'open', timestamp: Math.floor(Date.now() / 1000), sg_event_id: 'e2', sg_message_id: 'sg1.f' },
      { email: 'stranger@example.net', event: 'bounce', type: 'bounce', timestamp: Math.floor(Date.now() / 1000), 'smtp-id': '<never@sent>', sg_event_id: 'e3', sg_message_id: 'sg9.f' },
    ]),
  );
  writeFileSync(join(dir, 'feedback', 'shipper.ndjson'), `${JSON.stringify({ kind: 'delivered', email: 'r2@example.org', message_id: idOf('r2@example.org'), at: new Date().toISOString() })}\n`);

  const run = cli(dir, ['bounces', 'feedback']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^5 events read; 1 bounced, 1 complained, 1 kept, 1 not on the list, 1 skipped$/m);
  assert.match(run.stdout, /^bounced +r0@example\.org .*\(feedback\/ses\.jsonl:1\)$/m);
  assert.match(run.stdout, /^complained +r1@example\.org .*\(feedback\/sendgrid\.json item 1\)$/m);
  assert.deepEqual(statuses(dir), { 'r0@example.org': 'bounced', 'r1@example.org': 'complained', 'r2@example.org': 'active', 'r3@example.org': 'active' });
  const again = JSON.parse(cli(dir, ['bounces', 'feedback', '--json']).stdout) as { events: number; counts: Record<string, number> };
  assert.equal(again.events, 5);
  assert.deepEqual([again.counts.bounced, again.counts.complained, again.counts.unchanged, again.counts.skipped], [0, 0, 4, 1], 'read again: recorded before, nothing changes');

  // A good file beside one whose third line is broken: the command fails naming the line, and neither is applied.
  writeFileSync(join(dir, 'late.jsonl'), `${JSON.stringify(ses('r3@example.org'))}\n`);
  writeFileSync(join(dir, 'broken.jsonl'), `${JSON.stringify(ses('r3@example.org'))}\n\n{"Type": "Notification",\n`);
  const bad = cli(dir, ['bounces', 'late.jsonl', 'broken.jsonl']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /broken\.jsonl:3: not JSON: .*; nothing was applied/);
  assert.equal(statuses(dir)['r3@example.org'], 'active');
});
