/**
 * `newsletter send <issue> --segment …` (issue 16): the real CLI against a scripted SMTP peer, on SQLite. The segment
 * from the option, the front matter or the config's names; dry runs, unknown tags, empty segments, status, and a
 * segment send killed with SIGKILL and resumed with nobody skipped.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { startCli } from '../support/cli-process.ts';
import { editFile, issueText, projectFor } from '../support/fixtures.ts';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.ts';

const ISSUE = 'issues/2026-11-02-the-vote.md';
const SLUG = 'the-vote';

const startSend = (dir: string, args: string[], env: Record<string, string> = {}) => startCli(dir, args, { NEWSLETTER_DB: join(dir, 'data', 'newsletter.db'), ...env });

/**
 * `count` active subscribers r0@example.org…: every third (0, 3, 6, …) tagged `paid`, every fifth tagged `lapsed`,
 * and each tagged `reader`. Returns the addresses that `tag:paid and not tag:lapsed` selects.
 */
async function project(t: TestContext, count: number, fields = '', hooks: Parameters<typeof startSmtpPeer>[0] = {}): Promise<{ dir: string; peer: SmtpPeer; all: string[]; paid: string[]; env: Record<string, string> }> {
  const dir = projectFor(t, { [ISSUE]: issueText('Dear {{subscriber.name}}, the council votes on Tuesday.', `title: The vote\ndate: 2026-11-02\nstatus: ready${fields}`) });
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  const all = Array.from({ length: count }, (_, i) => `r${i}@example.org`);
  new SqliteSubscriberTable(db).importMany(all.map((email, i) => ({ email, emailNormalized: email, name: `Reader ${i}`, attributes: {} })), 'test');
  const tag = db.prepare(`INSERT INTO subscriber_tags (subscriber_id, tag, added_at) SELECT id, ?, '2026-01-01T00:00:00.000Z' FROM subscribers WHERE email = ?`);
  all.forEach((email, i) => {
    tag.run('reader', email);
    if (i % 3 === 0) tag.run('paid', email);
    if (i % 5 === 0) tag.run('lapsed', email);
  });
  db.close();
  const peer = await startSmtpPeer(hooks);
  t.after(() => peer.close());
  return { dir, peer, all, paid: all.filter((_, i) => i % 3 === 0 && i % 5 !== 0), env: { SMTP_URL: peer.url } };
}

const received = (peer: SmtpPeer, all: string[]) => all.filter((a) => peer.copiesOf(a) > 0);

test('send --segment: only the members get it; status shows the segment', async (t) => {
  const p = await project(t, 30);
  const run = await startSend(p.dir, ['send', SLUG, '--yes', '--json', '--segment', 'tag:paid and not tag:lapsed'], p.env).done;
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /Segment: +tag:paid and not tag:lapsed \(from --segment\)/);
  assert.match(run.stderr, new RegExp(`Recipients: +${p.paid.length} active subscribers in the segment`));
  assert.deepEqual(received(p.peer, p.all), p.paid);
  for (const a of p.paid) assert.equal(p.peer.copiesOf(a), 1);
  const status = await startSend(p.dir, ['status', SLUG]).done;
  assert.match(status.stdout, /^ {2}segment {4}tag:paid and not tag:lapsed$/m);
  const json = JSON.parse((await startSend(p.dir, ['status', SLUG, '--json']).done).stdout) as { segment: string | null; topic: string | null; recipients: number };
  assert.deepEqual({ segment: json.segment, topic: json.topic, recipients: json.recipients }, { segment: 'tag:paid and not tag:lapsed', topic: null, recipients: p.paid.length });
});

test('send --dry-run with a segment prints the count and five sample addresses, and plans nothing', async (t) => {
  const p = await project(t, 30);
  const dry = await startSend(p.dir, ['send', SLUG, '--dry-run', '--segment', 'TAG:paid AND NOT tag:lapsed'], p.env).done;
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`Recipients: +${p.paid.length} active subscribers in the segment`));
  const sample = /Sample: +(.+)\n((?: {14}.+\n)*)/.exec(dry.stdout);
  assert.ok(sample, dry.stdout);
  const addresses = [sample[1]!, ...sample[2]!.split('\n').filter(Boolean).map((l) => l.trim())];
  assert.deepEqual(addresses, p.paid.slice(0, 5));
  assert.equal(p.peer.received().length, 0);
  const status = await startSend(p.dir, ['status']).done;
  assert.match(status.stdout, /No issue has been sent yet/);
});

test("segment: in the front matter, or a name from the config's segments:; --segment beats the front matter", async (t) => {
  const p = await project(t, 30, '\nsegment: paying');
  appendFileSync(join(p.dir, 'newsletter.yaml'), '\nsegments:\n  paying: tag:paid and not tag:lapsed\n  everyone: tag:reader\n');
  const dry = await startSend(p.dir, ['send', SLUG, '--dry-run'], p.env).done;
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`Segment: +paying: tag:paid and not tag:lapsed \\(from segment: in ${ISSUE}\\)`));
  assert.match(dry.stdout, new RegExp(`Recipients: +${p.paid.length} active`));
  const overridden = await startSend(p.dir, ['send', SLUG, '--dry-run', '--segment', 'everyone'], p.env).done;
  assert.match(overridden.stdout, /Segment: +everyone: tag:reader \(from --segment\)/);
  assert.match(overridden.stdout, /Recipients: +30 active/);
  const expression = await startSend(p.dir, ['send', SLUG, '--dry-run', '--segment', 'tag:lapsed'], p.env).done;
  assert.match(expression.stdout, /Recipients: +6 active/);
  const unknownName = await startSend(p.dir, ['send', SLUG, '--dry-run', '--segment', 'payers'], p.env).done;
  assert.equal(unknownName.status, 1);
  assert.match(unknownName.stderr, /--segment: no segment named "payers" in newsletter\.yaml \(segments: paying, everyone\); to use a tag, write the expression tag:payers/);
});

test('bad segments: a syntax error names the column; an unknown tag warns with the known tags; nobody matched refuses to start', async (t) => {
  const p = await project(t, 6);
  const syntax = await startSend(p.dir, ['send', SLUG, '--yes', '--segment', 'tag:paid and (tag:lapsed'], p.env).done;
  assert.equal(syntax.status, 1);
  assert.match(syntax.stderr, /--segment: the segment, column 25: expected "and", "or" or "\)" to close the "\(" at column 14, found the end of the expression\n {2}tag:paid and \(tag:lapsed\n {26}\^/);
  const badDate = await startSend(p.dir, ['send', SLUG, '--yes', '--segment', 'subscribed-after:2026-13-01'], p.env).done;
  assert.match(badDate.stderr, /column 18: the date "2026-13-01" is not a day of the calendar/);
  const unknown = await startSend(p.dir, ['send', SLUG, '--dry-run', '--segment', 'tag:paid or tag:vip'], p.env).done;
  assert.equal(unknown.status, 0, unknown.stderr);
  assert.match(unknown.stderr, /warning: no subscriber has the tag "vip" \(the known tags are lapsed, paid, reader\)/);
  const nobody = await startSend(p.dir, ['send', SLUG, '--yes', '--segment', 'tag:vip'], p.env).done;
  assert.equal(nobody.status, 1);
  assert.match(nobody.stderr, /the segment "tag:vip" matches no active subscriber; nothing sent/);
  assert.equal(p.peer.received().length, 0);
  assert.match((await startSend(p.dir, ['status']).done).stdout, /No issue has been sent yet/);
});

test('a bad segment: in the front matter is an error naming the issue file and line', async (t) => {
  const p = await project(t, 3, '\nsegment: tag:paid or or tag:x');
  const run = await startSend(p.dir, ['send', SLUG, '--yes'], p.env).done;
  assert.equal(run.status, 1);
  assert.match(run.stderr, new RegExp(`${ISSUE.replace(/\./g, '\\.')}:5.*"segment" is not a segment name or expression \\(column 13: expected a term`));
});

test('a segment send killed with SIGKILL, then resumed: every member gets it, nobody skipped, nobody outside it', async (t) => {
  const CONCURRENCY = 4;
  let accepted = 0;
  let killAt = Infinity;
  let current: ChildProcess | null = null;
  const p = await project(t, 1500, '\nsegment: tag:paid and not tag:lapsed', {
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
  killAt = 150;
  const killed = startSend(p.dir, args, p.env);
  current = killed.child;
  assert.equal((await killed.done).signal, 'SIGKILL');
  // The segment changes before the resume: the frozen rows still decide who gets it, and the writer is told.
  editFile(p.dir, ISSUE, 'segment: tag:paid and not tag:lapsed', 'segment: tag:reader');
  killAt = Infinity;
  const last = await startSend(p.dir, args, p.env).done;
  assert.equal(last.status, 0, last.stderr);
  assert.match(last.stderr, /warning: this send was planned for the segment "tag:paid and not tag:lapsed"; it continues with the subscribers frozen then, not the segment "tag:reader" asked for now/);
  const summary = JSON.parse(last.stdout) as { counts: { sent: number; in_doubt: number }; inDoubt: string[] };
  assert.equal(summary.counts.sent + summary.counts.in_doubt, p.paid.length);
  const inDoubt = new Set(summary.inDoubt);
  assert.ok(inDoubt.size >= 1 && inDoubt.size <= CONCURRENCY, `in doubt: ${inDoubt.size}`);
  for (const a of p.paid) assert.ok(p.peer.copiesOf(a) >= (inDoubt.has(a) ? 0 : 1), `${a} was skipped`);
  for (const a of p.paid) if (!inDoubt.has(a)) assert.equal(p.peer.copiesOf(a), 1, a);
  assert.deepEqual(received(p.peer, p.all).filter((a) => !p.paid.includes(a)), [], 'nobody outside the segment');
});
